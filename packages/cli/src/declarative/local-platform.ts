/**
 * Identities credless's own local platforms created, which `apply --prune` never deletes: a file
 * describes the user's identities, not the plumbing of `credless up`, `acr` and `cluster`. Each is
 * recognised by the marker its creator gives it:
 * - a local cluster's kubelet (image-pull) identity: an identifier URI under `api://credless/`;
 * - a registry (`credless acr create`): the identifier URI `https://<name>.azurecr.io`, its token audience;
 * - an identity of the emulated GitHub Actions (`credless ci env`, the sample app's deployer): a
 *   federated credential trusting credless's GitHub Actions issuer, `<credless URL>/github-actions`.
 * @module
 */

/** What the markers are read from: an application with its federated credentials (no import back). */
export interface MarkedApplication {
  appId: string;
  identifierUris: readonly string[];
  federatedIdentityCredentials: ReadonlyArray<{ issuer: string }>;
}

/** Identifier URIs reserved for identities credless creates itself. */
const CREDLESS_IDENTIFIER_PREFIX = 'api://credless/';
const REGISTRY_URI = /^https:\/\/[a-z0-9]+\.azurecr\.io$/;
/** Where credless serves its GitHub Actions issuer, below its own URL. */
const GITHUB_ACTIONS_ISSUER_PATH = '/github-actions';

const isEmulatedGitHubIssuer = (issuer: string): boolean => {
  try {
    return new URL(issuer).pathname.replace(/\/+$/, '') === GITHUB_ACTIONS_ISSUER_PATH;
  } catch {
    return false;
  }
};

export function isLocalPlatformIdentity(app: MarkedApplication): boolean {
  return (
    app.identifierUris.some((uri) => uri.startsWith(CREDLESS_IDENTIFIER_PREFIX) || REGISTRY_URI.test(uri)) ||
    app.federatedIdentityCredentials.some((fic) => isEmulatedGitHubIssuer(fic.issuer))
  );
}

/** The appIds of applications credless's local platforms created. */
export const localPlatformAppIds = (applications: readonly MarkedApplication[]): string[] =>
  applications.filter(isLocalPlatformIdentity).map((app) => app.appId);
