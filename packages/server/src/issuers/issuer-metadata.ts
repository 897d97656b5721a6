/**
 * OIDC discovery for an external issuer and validation of its published signing keys (JWKS).
 * Every check fails closed: a document that is odd in any security-relevant way is refused as a whole.
 * @module
 */
import { type IssuerPublicKey, readJwks } from '@credless/core';
import { type FetchCappedJsonOptions, fetchCappedJson, IssuerFetchError } from './fetch-capped-json.ts';

// The key rules are core's (the store validates pinned sets with them too); re-exported for the issuers.
export {
  type IssuerPublicKey,
  isAlgorithmCompatible,
  isSupportedAlgorithm,
  MAX_JWKS_KEYS,
} from '@credless/core';

export interface IssuerKeySet {
  jwksUri: string;
  keys: IssuerPublicKey[];
  /** How many published keys were ignored as unusable (for diagnostics). */
  skippedKeys: number;
}

/** `${issuer}/.well-known/openid-configuration` without doubling a trailing slash (AKS issuers end with '/'). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks the discovery document names exactly this issuer and returns its https `jwks_uri`. */
export function parseDiscoveryDocument(issuer: string, document: unknown): string {
  if (!isRecord(document)) throw new IssuerFetchError('discovery document is not a JSON object');
  if (document['issuer'] !== issuer)
    throw new IssuerFetchError('discovery document names a different issuer');
  const jwksUri = document['jwks_uri'];
  if (typeof jwksUri !== 'string') throw new IssuerFetchError('discovery document has no jwks_uri');
  if (!isHttpsUrl(jwksUri)) throw new IssuerFetchError('discovery jwks_uri is not https');
  return jwksUri;
}

/** Validates a JWKS document (core's rules). Throws for a dangerous or useless set; skips individual unusable keys. */
export function parseJwks(document: unknown): { keys: IssuerPublicKey[]; skippedKeys: number } {
  const reading = readJwks(document);
  if ('problem' in reading) throw new IssuerFetchError(reading.problem);
  return reading;
}

/** Discovery, then the JWKS it names; every failure is an IssuerFetchError whose reason says which step failed. */
export async function fetchIssuerKeySet(
  issuer: string,
  options: FetchCappedJsonOptions,
): Promise<IssuerKeySet> {
  const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (issuerUrl?.protocol !== 'https:') throw new IssuerFetchError('issuer is not an https URL');
  if (issuerUrl.search || issuerUrl.hash) {
    throw new IssuerFetchError('issuer must not have a query or fragment');
  }

  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof IssuerFetchError) throw new IssuerFetchError(`${name}: ${error.reason}`);
      throw error;
    }
  };
  const jwksUri = await step('discovery', async () =>
    parseDiscoveryDocument(issuer, await fetchCappedJson(discoveryUrl(issuer), options)),
  );
  const { keys, skippedKeys } = await step('jwks', async () =>
    parseJwks(await fetchCappedJson(jwksUri, options)),
  );
  return { jwksUri, keys, skippedKeys };
}
