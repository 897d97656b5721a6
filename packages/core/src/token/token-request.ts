/**
 * Parsing a token request's form parameters into a client-credentials request (a client assertion or a
 * client secret), with Entra's errors.
 * Empty values count as omitted; unknown parameters are ignored. (Repeated parameters are refused
 * earlier, by the form parser that can see them.)
 * @module
 */
import { CredlessError } from '../errors/index.ts';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export type EndpointVersion = 'v1' | 'v2';

export interface ClientCredentialsRequest {
  clientId: string;
  /** Resource identifier: v2 scope without `/.default`, or v1 `resource`. */
  resource: string;
  /** The scope as sent (v2), for error messages. */
  scope: string | undefined;
  /** Exactly one of the two client credentials is set. */
  clientAssertion?: string;
  clientSecret?: string;
}

const DEFAULT_SUFFIX = '/.default';
/** OpenID scopes that MSAL may add; they do not name a resource. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

function read(params: ReadonlyMap<string, string>, name: string): string | undefined {
  const value = params.get(name);
  return value === undefined || value === '' ? undefined : value;
}

function required(params: ReadonlyMap<string, string>, name: string): string {
  const value = read(params, name);
  if (value === undefined) throw new CredlessError('missing_parameter', { name });
  return value;
}

/** `https://graph.microsoft.com/.default` → `https://graph.microsoft.com`; az's `…//.default` keeps one slash. */
export function resourceFromScope(scopeParameter: string): string {
  const scopes = scopeParameter.split(' ').filter((scope) => scope !== '' && !OIDC_SCOPES.has(scope));
  if (scopes.length === 0) throw new CredlessError('scope_invalid', { scope: scopeParameter });
  const resources = new Set<string>();
  for (const scope of scopes) {
    if (!scope.endsWith(DEFAULT_SUFFIX)) throw new CredlessError('scope_not_default', { scope });
    const resource = scope.slice(0, -DEFAULT_SUFFIX.length);
    if (resource === '') throw new CredlessError('scope_invalid', { scope });
    resources.add(resource);
  }
  if (resources.size > 1) throw new CredlessError('scope_multiple_resources', { scope: scopeParameter });
  return [...resources][0]!;
}

export function parseClientCredentialsRequest(
  params: ReadonlyMap<string, string>,
  version: EndpointVersion,
): ClientCredentialsRequest {
  const grantType = required(params, 'grant_type');
  if (grantType !== 'client_credentials') throw new CredlessError('unsupported_grant_type', { grantType });
  const clientId = required(params, 'client_id');

  const clientSecret = read(params, 'client_secret');
  const assertionType = read(params, 'client_assertion_type');
  const clientAssertion = read(params, 'client_assertion');
  let credential: { clientAssertion: string } | { clientSecret: string };
  if (clientSecret !== undefined) {
    if (assertionType !== undefined || clientAssertion !== undefined) {
      throw new CredlessError('client_authentication_ambiguous');
    }
    credential = { clientSecret };
  } else {
    if (assertionType === undefined && clientAssertion === undefined) {
      throw new CredlessError('client_authentication_missing');
    }
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
      throw new CredlessError('client_assertion_type_invalid', { assertionType: assertionType ?? '(none)' });
    }
    if (clientAssertion === undefined) throw new CredlessError('client_authentication_missing');
    credential = { clientAssertion };
  }

  if (version === 'v1') {
    return { clientId, resource: required(params, 'resource'), scope: undefined, ...credential };
  }
  const scope = required(params, 'scope');
  return { clientId, resource: resourceFromScope(scope), scope, ...credential };
}
