/**
 * Where credless's emulated issuers live under its base URL, and which issuers under the base URL are
 * its own token service (whose tokens must never be exchanged again: 700222).
 * @module
 */

/** Path of the emulated GitHub Actions issuer (no trailing slash, like token.actions.githubusercontent.com). */
export const GITHUB_ACTIONS_ISSUER_PATH = '/github-actions';

/** `<base>/github-actions`; `baseUrl` without a trailing slash. */
export function githubActionsIssuerUrl(baseUrl: string): string {
  return `${baseUrl}${GITHUB_ACTIONS_ISSUER_PATH}`;
}

/** AKS-like: `<base>/oidc/<tenant>/<cluster issuer guid>/` (trailing slash, as AKS publishes it). */
export function clusterIssuerUrl(baseUrl: string, tenantId: string, issuerGuid: string): string {
  return `${baseUrl}/oidc/${tenantId}/${issuerGuid}/`;
}

const CLUSTER_ISSUER_PATH = /^\/oidc\/([^/]+)\/([^/]+)\/$/;

/** The tenant and issuer guid of a cluster issuer URL (any host: the record decides, not the URL). */
export function parseClusterIssuerUrl(issuer: string): { tenantId: string; issuerGuid: string } | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  if (url.search || url.hash) return undefined;
  const match = CLUSTER_ISSUER_PATH.exec(url.pathname);
  return match ? { tenantId: match[1] as string, issuerGuid: match[2] as string } : undefined;
}

/**
 * True for the issuers of credless's own token service under `baseUrl`: the v1 `<base>/<tenant>/` and
 * v2 `<base>/<tenant>/v2.0` issuers that access tokens carry (authorityUrls). The emulated cluster and
 * GitHub Actions issuers under the same base are not, so their tokens can be exchanged.
 */
export function isOwnTokenServiceIssuer(baseUrl: string, issuer: string): boolean {
  if (!issuer.startsWith(`${baseUrl}/`)) return false;
  const rest = issuer.slice(baseUrl.length + 1);
  return /^[^/]+\/(v2\.0)?$/.test(rest);
}
