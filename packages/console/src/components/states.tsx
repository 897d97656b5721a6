/**
 * What every page shows while it loads, when it has nothing, and when the API refuses: a labelled
 * spinner, an empty-state line, the API's message (403: a "not allowed" panel naming the permission).
 * @module
 */
import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <Spinner size="small" label={label} labelPosition="after" />;
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text as="p" italic>
      {children}
    </Text>
  );
}

/** The API's error; a 403 says which permission is missing (the API's message names it). */
export function ErrorMessage({ error }: { error: Error }) {
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{forbidden ? 'Not allowed' : 'Request failed'}</MessageBarTitle>
        {error.message}
        {forbidden
          ? ' Sign in as an identity that holds it (credless console --app <appId>), or grant the role to this one.'
          : ''}
      </MessageBarBody>
    </MessageBar>
  );
}

/** Loading, error or the content; `empty` when `isEmpty` says there is nothing to show. */
export function DataState<T>({
  loaded,
  isEmpty,
  empty,
  children,
}: {
  loaded: { data: T | undefined; error: Error | undefined; loading: boolean };
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (loaded.data === undefined) return <Loading />;
  if (isEmpty?.(loaded.data)) return <Empty>{empty ?? 'Nothing here yet.'}</Empty>;
  return <>{children(loaded.data)}</>;
}

/** The API's message for `field`, for a Fluent <Field validationMessage>. */
export function fieldMessage(error: Error | undefined, field: string): string | undefined {
  return error instanceof ApiError && error.field === field ? error.message : undefined;
}

/** The API's message when it names no field of the form (shown above the buttons). */
export function FormError({ error, fields }: { error: Error | undefined; fields: readonly string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
  return <ErrorMessage error={error} />;
}
