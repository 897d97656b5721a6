/** An in-app link styled as Fluent's Link (theme-aware colours), navigating without a reload. */
import { Link } from '@fluentui/react-components';
import type { MouseEvent, ReactNode } from 'react';
import { BASE, useRouter } from '../router.tsx';

export function AppLink({ to, children }: { to: string; children: ReactNode }) {
  const { navigate } = useRouter();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <Link href={`${BASE}${to}`} onClick={onClick}>
      {children}
    </Link>
  );
}
