/**
 * Catalogue entries for the web console (`/console`): its sign-in codes and sessions. They carry a
 * Graph-style error code, so the console reads every API failure, its own included, in one shape.
 * Part of the one catalogue (catalogue.ts spreads them in).
 * @module
 */
import { type DirectoryErrorSpec, dir } from './catalogue-specs.ts';

export const CONSOLE_ERRORS = {
  // No session cookie at all (the browser never signed in, or signed out).
  console_not_signed_in: dir(
    401,
    'no_session',
    () => 'Not signed in. Run `credless console` for a sign-in link.',
  ),
  // An unknown, expired (5 minutes) or already redeemed sign-in code.
  console_code_invalid: dir(
    401,
    'invalid_code',
    () => 'This sign-in link has expired or was already used. Run `credless console` for a new one.',
  ),
  // A session cookie naming an expired or revoked session, or a change without its X-Credless-Csrf header.
  console_no_session: dir(
    401,
    'no_session',
    () => 'Your session has ended. Run `credless console` for a new sign-in link.',
  ),
  // A sign-in code for an application holding Graph roles the caller lacks: no escalation through the console.
  console_roles_exceed_caller: dir(
    403,
    'Authorization_RequestDenied',
    (p) =>
      `A console session for ${p.appId} would hold the Graph roles ${p.roles}, which the caller does not hold.`,
  ),
  // The application named for a session has no enabled service principal in the caller's tenant.
  console_principal_unusable: dir(
    400,
    'Request_BadRequest',
    (p) =>
      `Application ${p.appId} cannot sign in to the console: it has no enabled service principal in this tenant.`,
  ),
  // 503 as Graph's retryable serviceNotAvailable: a build (and restart) brings the console.
  console_not_built: dir(
    503,
    'serviceNotAvailable',
    () => 'The console is not built: run npm run build, then restart credless up.',
  ),
} as const satisfies Record<string, DirectoryErrorSpec>;
