/**
 * The claims of an app-only access token, in Entra's v1 or v2 format (chosen by the resource's
 * accessTokenAcceptedVersion; null means v1, as in Entra).
 * @module
 */
import type { AccessTokenVersion } from '../directory/types.ts';

export interface AuthorityUrls {
  /** v1 token issuer and v1 discovery issuer: `{base}/{tid}/`. */
  v1Issuer: string;
  /** v2 token issuer and v2 discovery issuer: `{base}/{tid}/v2.0`. */
  v2Issuer: string;
}

/** `baseUrl` has no trailing slash, e.g. `https://localhost:8443`. */
export function authorityUrls(baseUrl: string, tenantId: string): AuthorityUrls {
  return { v1Issuer: `${baseUrl}/${tenantId}/`, v2Issuer: `${baseUrl}/${tenantId}/v2.0` };
}

export interface AccessTokenClaimsInput {
  version: AccessTokenVersion;
  baseUrl: string;
  tenantId: string;
  /** v1: the resource identifier as requested (resolved); v2: the resource's appId. */
  audience: string;
  client: { appId: string; displayName: string; servicePrincipalId: string };
  roles: readonly string[];
  issuedAt: number;
  lifetimeSeconds: number;
  /** Unique token identifier. */
  uti: string;
}

export function buildAccessTokenClaims(input: AccessTokenClaimsInput): Record<string, unknown> {
  const { v1Issuer, v2Issuer } = authorityUrls(input.baseUrl, input.tenantId);
  const times = { iat: input.issuedAt, nbf: input.issuedAt, exp: input.issuedAt + input.lifetimeSeconds };
  const roles = input.roles.length > 0 ? { roles: [...input.roles] } : {};
  const principal = { oid: input.client.servicePrincipalId, sub: input.client.servicePrincipalId };
  if (input.version === 2) {
    return {
      aud: input.audience,
      iss: v2Issuer,
      ...times,
      azp: input.client.appId,
      azpacr: '2',
      idtyp: 'app',
      ...principal,
      ...roles,
      tid: input.tenantId,
      uti: input.uti,
      ver: '2.0',
    };
  }
  return {
    aud: input.audience,
    iss: v1Issuer,
    ...times,
    app_displayname: input.client.displayName,
    appid: input.client.appId,
    appidacr: '2',
    idp: v1Issuer,
    idtyp: 'app',
    ...principal,
    ...roles,
    tid: input.tenantId,
    uti: input.uti,
    ver: '1.0',
  };
}
