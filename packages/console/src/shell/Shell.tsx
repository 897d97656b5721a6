/**
 * The frame around every page: a header (tenant, who is signed in, theme, sign out), the navigation,
 * and the page the path names — or the sign-in page when there is no session.
 * @module
 */
import { Button, makeStyles, Switch, Text, tokens } from '@fluentui/react-components';
import { SignOutRegular, WeatherMoonRegular } from '@fluentui/react-icons';
import { Suspense } from 'react';
import { ErrorMessage, Loading } from '../components/states.tsx';
import { matchPath, RouterLink, useRouter } from '../router.tsx';
import { useSessionState } from '../session.tsx';
import { PAGES } from './pages.ts';
import { SignInPage } from './SignInPage.tsx';
import { useThemeToggle } from './theme.ts';

const useStyles = makeStyles({
  root: { display: 'grid', gridTemplateRows: 'auto 1fr', minHeight: '100vh' },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  spacer: { flexGrow: 1 },
  onBrand: { color: tokens.colorNeutralForegroundOnBrand },
  body: { display: 'grid', gridTemplateColumns: '220px 1fr' },
  nav: {
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    padding: tokens.spacingVerticalM,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  navLink: {
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  current: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    fontWeight: tokens.fontWeightSemibold,
  },
  main: { padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXXL}`, minWidth: 0 },
});

function NotFound() {
  return <ErrorMessage error={new Error('There is no console page at this address.')} />;
}

function SignedInShell() {
  const styles = useStyles();
  const { path } = useRouter();
  const { state, signOut } = useSessionState();
  const { theme, setTheme } = useThemeToggle();
  if (state.status !== 'signed-in') return null;
  const { session } = state;
  const page = PAGES.map((spec) => ({ spec, params: matchPath(spec.pattern, path) })).find(
    (candidate) => candidate.params,
  );
  const section = '/' + (path.split('/')[1] ?? '');
  const Page = page?.spec.component;
  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <span className={styles.brand}>credless console</span>
        <Text className={styles.onBrand}>Tenant {session.tenantId}</Text>
        <span className={styles.spacer} />
        <Text className={styles.onBrand}>Signed in as {session.principal.displayName}</Text>
        <Switch
          checked={theme === 'dark'}
          onChange={(_event, data) => setTheme(data.checked ? 'dark' : 'light')}
          label={
            <span className={styles.onBrand}>
              <WeatherMoonRegular aria-hidden /> Dark theme
            </span>
          }
        />
        <Button appearance="primary" icon={<SignOutRegular />} onClick={() => void signOut()}>
          Sign out
        </Button>
      </header>
      <div className={styles.body}>
        <nav className={styles.nav} aria-label="Console pages">
          {PAGES.filter((spec) => spec.nav).map((spec) => {
            const current = spec.pattern === section || (spec.pattern === '/' && path === '/');
            return (
              <RouterLink
                key={spec.pattern}
                to={spec.pattern}
                className={`${styles.navLink} ${current ? styles.current : ''}`}
                aria-current={current ? 'page' : undefined}
              >
                {spec.nav}
              </RouterLink>
            );
          })}
        </nav>
        <main className={styles.main}>
          <Suspense fallback={<Loading label="Loading page…" />}>
            {Page && page?.params ? <Page key={page.spec.pattern} params={page.params} /> : <NotFound />}
          </Suspense>
        </main>
      </div>
    </div>
  );
}

export function Shell() {
  const { state } = useSessionState();
  if (state.status === 'loading') return <Loading label="Signing in…" />;
  if (state.status === 'signed-out') return <SignInPage reason={state.reason} message={state.message} />;
  return <SignedInShell />;
}
