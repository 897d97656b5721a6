/**
 * credless's emulated issuers at run time: local clusters' service-account issuers and the GitHub
 * Actions issuer. Signs their tokens, publishes their keys, and answers the token service's key
 * lookups for them from memory — never by fetching its own URLs, and only with keys from credless's
 * own records (the token names the issuer; the record, not the token, supplies the key).
 * Cached state is dropped by invalidate(), which LocalPlatforms calls on every directory change.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { createHash, randomUUID } from 'node:crypto';
import {
  buildGitHubActionsClaims,
  buildServiceAccountTokenClaims,
  CredlessError,
  checkServiceAccountTokenInput,
  defaultGitHubAudience,
  githubActionsIssuerUrl,
  parseClusterIssuerUrl,
  SERVICE_ACCOUNT_TOKEN_DEFAULT_SECONDS,
  type ServiceAccountTokenInput,
} from '@credless/core';
import type { ClusterRecord, DirectoryStore, EmulatedIssuerKey } from '@credless/server';
import { SignJWT } from 'jose';
import { findClusterById } from './clusters.ts';
import { verifyActionsRequestToken } from './github-actions-job.ts';
import {
  generateIssuerSigningKey,
  type IssuerJwk,
  importIssuerPrivateKey,
  importIssuerPublicKey,
  issuerJwk,
} from './issuer-signing-key.ts';

export const GITHUB_ACTIONS_KEY_NAME = 'github-actions';
const MAX_CACHED = 10_000;

export type LocalIssuerStore = Pick<
  DirectoryStore,
  'getCluster' | 'findClusterByIssuer' | 'getEmulatedIssuerKey' | 'insertEmulatedIssuerKey'
>;

export interface LocalIssuersOptions {
  store: LocalIssuerStore;
  kek: Uint8Array;
  /** Read per call: with port 0 the public URL is known only once the server listens. */
  baseUrl: () => string;
  now?: () => number;
}

/** What the local runtime asks for when it projects a token into a pod (kubelet's TokenRequest). */
export interface ServiceAccountTokenRequest {
  namespace: string;
  serviceAccount: string;
  /** The ServiceAccount's uid (default: a stable uid derived from cluster, namespace and name). */
  serviceAccountUid?: string;
  audiences: readonly string[];
  /** Default 3600 (kubelet's projected-token default); at least 600. */
  expirationSeconds?: number;
  pod?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

export interface IssuedServiceAccountToken {
  token: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  issuer: string;
}

export class LocalIssuers {
  readonly #options: LocalIssuersOptions;
  readonly #now: () => number;
  readonly #clusters = new Map<string, Promise<ClusterRecord | undefined>>();
  readonly #privateKeys = new Map<string, Promise<CryptoKey>>();
  readonly #publicKeys = new Map<string, Promise<CryptoKey | KeyObject>>();
  #githubKey: Promise<EmulatedIssuerKey> | undefined;

  constructor(options: LocalIssuersOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Drops cached records (a cluster deleted or created elsewhere); decrypted keys stay keyed by kid. */
  invalidate(): void {
    this.#clusters.clear();
    this.#githubKey = undefined;
  }

  get githubActionsIssuer(): string {
    return githubActionsIssuerUrl(this.#options.baseUrl());
  }

  /** The cluster whose issuer this is, or undefined (not a local cluster issuer). */
  clusterByIssuer(issuer: string): Promise<ClusterRecord | undefined> {
    // Cheap test first: this runs for every external issuer on the token path.
    if (!issuer.includes('/oidc/') || !parseClusterIssuerUrl(issuer)) return Promise.resolve(undefined);
    let found = this.#clusters.get(issuer);
    if (!found) {
      if (this.#clusters.size >= MAX_CACHED) this.#clusters.clear();
      found = this.#options.store.findClusterByIssuer(issuer);
      found.catch(() => this.#clusters.delete(issuer));
      this.#clusters.set(issuer, found);
    }
    return found;
  }

  /** The GitHub Actions issuer's key, created on first use (replicas racing keep the first stored). */
  githubActionsKey(): Promise<EmulatedIssuerKey> {
    if (!this.#githubKey) {
      const load = (async () => {
        const stored = await this.#options.store.getEmulatedIssuerKey(GITHUB_ACTIONS_KEY_NAME);
        if (stored) return stored;
        const fresh = await generateIssuerSigningKey(this.#options.kek, this.#now());
        return this.#options.store.insertEmulatedIssuerKey(GITHUB_ACTIONS_KEY_NAME, fresh);
      })();
      load.catch(() => {
        if (this.#githubKey === load) this.#githubKey = undefined;
      });
      this.#githubKey = load;
    }
    return this.#githubKey;
  }

  clusterJwks(cluster: ClusterRecord): { keys: IssuerJwk[] } {
    return { keys: [issuerJwk(cluster.signingKey)] };
  }

  async githubActionsJwks(): Promise<{ keys: IssuerJwk[] }> {
    return { keys: [issuerJwk(await this.githubActionsKey())] };
  }

  /**
   * The key verifying `issuer`'s tokens when it is one of credless's emulated issuers; undefined when
   * it is not (the caller then asks the external-issuer sources).
   */
  async verificationKey(
    issuer: string,
    kid: string | undefined,
    alg: string,
  ): Promise<CryptoKey | KeyObject | undefined> {
    let key: EmulatedIssuerKey | undefined;
    if (issuer === this.githubActionsIssuer) key = await this.githubActionsKey();
    else {
      const cluster = await this.clusterByIssuer(issuer);
      if (cluster?.oidcIssuerEnabled) key = cluster.signingKey;
    }
    if (!key) return undefined;
    if (alg !== 'RS256') {
      throw new CredlessError('assertion_signature_invalid', {
        reason: `algorithm '${alg}' is not accepted`,
      });
    }
    if (kid !== undefined && kid !== key.kid) {
      throw new CredlessError('signing_key_not_found', { kid: kid.slice(0, 256), issuer });
    }
    return this.#cachedKey(this.#publicKeys, key, () => importIssuerPublicKey(key));
  }

  /** Signs a service-account token for a pod of the cluster (by ARM id), as kube-apiserver would. */
  async issueServiceAccountToken(
    clusterId: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken> {
    const cluster = await findClusterById(this.#options.store, clusterId);
    if (!cluster) throw new CredlessError('not_found', { id: clusterId });
    const privateKey = await this.#signingKey(cluster.signingKey);
    return signServiceAccountToken(cluster, privateKey, request, this.#now());
  }

  /** The GitHub-compatible token endpoint: a job's request token and an audience → an OIDC token. */
  async issueGitHubActionsToken(requestToken: string, audience: string | undefined): Promise<string> {
    const grant = await verifyActionsRequestToken(requestToken, this.#options.kek, this.#now());
    if (audience !== undefined && (audience.length === 0 || audience.length > 1024)) {
      throw new CredlessError('actions_audience_invalid', { reason: 'it must be 1-1024 characters' });
    }
    const key = await this.githubActionsKey();
    const claims = buildGitHubActionsClaims({
      issuer: this.githubActionsIssuer,
      job: grant.job,
      audience: audience ?? defaultGitHubAudience(grant.job.repository),
      issuedAt: Math.floor(this.#now() / 1000),
      jti: randomUUID(),
      subjectFormat: grant.subjectFormat,
    });
    const privateKey = await this.#signingKey(key);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .sign(privateKey);
  }

  #signingKey(key: EmulatedIssuerKey): Promise<CryptoKey> {
    return this.#cachedKey(this.#privateKeys, key, () => importIssuerPrivateKey(key, this.#options.kek));
  }

  #cachedKey<T>(cache: Map<string, Promise<T>>, key: EmulatedIssuerKey, load: () => Promise<T>): Promise<T> {
    // By kid (a hash of the public key), so a record re-read after invalidate() reuses the import.
    let found = cache.get(key.kid);
    if (!found) {
      if (cache.size >= MAX_CACHED) cache.clear();
      found = load();
      found.catch(() => cache.delete(key.kid));
      cache.set(key.kid, found);
    }
    return found;
  }
}

/**
 * Signs a service-account token for a pod of a local cluster (by ARM id) outside a running server,
 * e.g. in the local runtime's process: reads the cluster record and decrypts its key with the KEK.
 * A running server offers the same as `RunningCredless.issueServiceAccountToken` (keys cached).
 */
export async function issueServiceAccountToken(
  deps: { store: Pick<DirectoryStore, 'getCluster'>; kek: Uint8Array; now?: () => number },
  clusterId: string,
  request: ServiceAccountTokenRequest,
): Promise<IssuedServiceAccountToken> {
  const cluster = await findClusterById(deps.store, clusterId);
  if (!cluster) throw new CredlessError('not_found', { id: clusterId });
  const privateKey = await importIssuerPrivateKey(cluster.signingKey, deps.kek);
  return signServiceAccountToken(cluster, privateKey, request, (deps.now ?? Date.now)());
}

async function signServiceAccountToken(
  cluster: ClusterRecord,
  privateKey: CryptoKey,
  request: ServiceAccountTokenRequest,
  nowMs: number,
): Promise<IssuedServiceAccountToken> {
  const issuedAt = Math.floor(nowMs / 1000);
  const input: ServiceAccountTokenInput = {
    issuer: cluster.issuerUrl,
    namespace: request.namespace,
    serviceAccount: {
      name: request.serviceAccount,
      uid: request.serviceAccountUid ?? stableUid(cluster.id, request.namespace, request.serviceAccount),
    },
    ...(request.pod ? { pod: request.pod } : {}),
    ...(request.node ? { node: request.node } : {}),
    audiences: request.audiences,
    issuedAt,
    expirationSeconds: request.expirationSeconds ?? SERVICE_ACCOUNT_TOKEN_DEFAULT_SECONDS,
    jti: randomUUID(),
  };
  const problem = checkServiceAccountTokenInput(input);
  if (problem) throw new CredlessError('invalid_value', { field: 'tokenRequest', reason: problem });
  const claims = buildServiceAccountTokenClaims(input);
  // kube-apiserver's header: alg and kid, no typ.
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: cluster.signingKey.kid })
    .sign(privateKey);
  return { token, issuedAt, expiresAt: claims['exp'] as number, issuer: cluster.issuerUrl };
}

/** A uid that stays the same for the same ServiceAccount, shaped like a Kubernetes uid (UUID v5-like). */
function stableUid(clusterId: string, namespace: string, name: string): string {
  // Not secret: only a stable identifier.
  const hex = createHash('sha256').update(`${clusterId.toLowerCase()}\0${namespace}\0${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
