/**
 * Pulling an image as the cluster's kubelet identity: a service-account token of the cluster's own
 * issuer for kube-system/kubelet, exchanged at the token service for a token to the registry
 * (`https://<registry>.azurecr.io/.default`); the pull goes ahead only when that token carries AcrPull.
 * Registry tokens are cached until shortly before they expire, as a container runtime's credential
 * provider does. Failures come back as the message the pod shows under ErrImagePull.
 * @module
 */
import { stat } from 'node:fs/promises';
import type { ClusterRecord } from '@credless/server';
import { decodeJwt } from 'jose';
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import type {
  IssuedServiceAccountToken,
  ServiceAccountTokenRequest,
} from '../../local-issuers/local-issuers.ts';
import {
  findKubeletIdentity,
  KUBELET_NAMESPACE,
  KUBELET_SERVICE_ACCOUNT,
  TOKEN_EXCHANGE_AUDIENCE,
} from './kubelet-identity.ts';
import {
  ACR_PULL_ROLE,
  ensureImageScope,
  findRegistry,
  type ImageReference,
  imageDirectory,
  imageName,
  parseImage,
  type RegistryContext,
} from './registry.ts';

export interface ImagePullerDeps extends RegistryContext {
  dataDir: string;
  cluster: ClusterRecord;
  /** `<authority host>/<tenant>/oauth2/v2.0/token` of the credless that serves this cluster. */
  tokenEndpoint: string;
  dispatcher?: Dispatcher | undefined;
  issueServiceAccountToken(
    clusterId: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken>;
  now?: () => number;
}

export type PullResult = { ok: true; directory: string; image: string } | { ok: false; message: string };

export class ImagePuller {
  readonly #deps: ImagePullerDeps;
  readonly #tokens = new Map<string, number>(); // registry → access token expiry (ms)

  constructor(deps: ImagePullerDeps) {
    this.#deps = deps;
  }

  async pull(image: string): Promise<PullResult> {
    let ref: ImageReference;
    try {
      ref = parseImage(image);
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
    const denied = await this.#authorize(ref);
    if (denied) return { ok: false, message: denied };
    const directory = imageDirectory(this.#deps.dataDir, ref);
    if (!(await stat(directory).catch(() => undefined))?.isDirectory())
      return {
        ok: false,
        message: `manifest for ${imageName(ref)} not found: build it with \`credless acr build --registry ${ref.registry} --image ${ref.repository}:${ref.tag} <dir>\``,
      };
    // Images built before the scope file existed get it on their next pull.
    await ensureImageScope(this.#deps.dataDir);
    return { ok: true, directory, image: imageName(ref) };
  }

  /** Undefined when the cluster may pull; otherwise why not and what to do. */
  async #authorize(ref: ImageReference): Promise<string | undefined> {
    const now = (this.#deps.now ?? Date.now)();
    const cachedUntil = this.#tokens.get(ref.registry);
    if (cachedUntil !== undefined && cachedUntil > now) return undefined;
    const { cluster } = this.#deps;
    const image = imageName(ref);
    if (!(await findRegistry(this.#deps, ref.registry)))
      return `failed to pull ${image}: registry '${ref.registry}' does not exist (credless acr create --name ${ref.registry})`;
    const notAttached = `failed to pull ${image}: cluster ${cluster.name} is not authorized to pull from registry ${ref.registry}: run \`credless cluster update --name ${cluster.name} --resource-group ${cluster.resourceGroup} --attach-acr ${ref.registry}\``;
    const kubelet = await findKubeletIdentity(this.#deps, cluster);
    if (!kubelet) return notAttached;
    const assertion = await this.#deps.issueServiceAccountToken(cluster.id, {
      namespace: KUBELET_NAMESPACE,
      serviceAccount: KUBELET_SERVICE_ACCOUNT,
      audiences: [TOKEN_EXCHANGE_AUDIENCE],
      expirationSeconds: 600,
    });
    const response = await fetch(this.#deps.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: kubelet.appId,
        scope: `https://${ref.registry}.azurecr.io/.default`,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion.token,
      }).toString(),
      ...(this.#deps.dispatcher ? { dispatcher: this.#deps.dispatcher } : {}),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_codes?: number[];
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      // AADSTS501051 (no assignment, the registry requires one) reads as "not attached".
      const code = body.error_codes?.[0];
      return code === 501051
        ? notAttached
        : `${notAttached} (token service: ${body.error ?? response.status}${code ? ` AADSTS${code}` : ''})`;
    }
    const roles = (decodeJwt(body.access_token)['roles'] as unknown[] | undefined) ?? [];
    if (!roles.includes(ACR_PULL_ROLE)) return notAttached;
    const lifetimeMs = Math.max(0, (body.expires_in ?? 0) - 300) * 1000;
    this.#tokens.set(ref.registry, now + lifetimeMs);
    return undefined;
  }

  /** Forget cached authorizations (a registry detached). */
  reset(): void {
    this.#tokens.clear();
  }
}
