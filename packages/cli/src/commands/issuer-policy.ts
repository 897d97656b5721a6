/**
 * `credless issuer-policy show|set|trust|untrust`: the tenant's trusted-issuer allowlist (mode off,
 * audit or enforce), the shared-issuer guard, and per-issuer limits and pinned keys, through the API's
 * `/credless/issuerPolicy`. Uploading a JWKS file again replaces the pinned set (key rotation for a
 * cluster whose discovery is not reachable).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ISSUER_POLICY_MODES, type IssuerPolicyMode } from '@credless/core';
import { UsageError } from '../exit-codes.ts';
import { type GraphApi, withoutODataContext } from '../session/graph-api.ts';

/** A trusted issuer as the API shows it: the pinned set by key id (the keys themselves stay in the store). */
export interface TrustedIssuerView {
  issuer: string;
  maxAssertionLifetimeSeconds: number | null;
  clockSkewSeconds: number | null;
  pinnedJwks: { kids: string[]; updatedAt: string | null } | null;
}

export interface IssuerPolicyView {
  mode: IssuerPolicyMode;
  sharedIssuerGuard: boolean;
  trustedIssuers: TrustedIssuerView[];
}

const POLICY = '/credless/issuerPolicy';
const TRUSTED = `${POLICY}/trustedIssuers`;

export async function showIssuerPolicy(api: GraphApi): Promise<IssuerPolicyView> {
  return withoutODataContext(await api.call<IssuerPolicyView>('GET', POLICY));
}

export interface SetIssuerPolicyOptions {
  mode?: string;
  /** `on` or `off`. */
  sharedIssuerGuard?: string;
}

export async function setIssuerPolicy(
  api: GraphApi,
  options: SetIssuerPolicyOptions,
): Promise<IssuerPolicyView> {
  if (options.mode === undefined && options.sharedIssuerGuard === undefined) {
    throw new UsageError('nothing to set: give --mode and/or --shared-issuer-guard');
  }
  const patch: { mode?: IssuerPolicyMode; sharedIssuerGuard?: boolean } = {};
  if (options.mode !== undefined) {
    if (!ISSUER_POLICY_MODES.includes(options.mode as IssuerPolicyMode)) {
      throw new UsageError(`--mode: '${options.mode}' is not one of ${ISSUER_POLICY_MODES.join(', ')}`);
    }
    patch.mode = options.mode as IssuerPolicyMode;
  }
  if (options.sharedIssuerGuard !== undefined) {
    if (options.sharedIssuerGuard !== 'on' && options.sharedIssuerGuard !== 'off') {
      throw new UsageError(`--shared-issuer-guard: '${options.sharedIssuerGuard}' is not on or off`);
    }
    patch.sharedIssuerGuard = options.sharedIssuerGuard === 'on';
  }
  return withoutODataContext(await api.call<IssuerPolicyView>('PATCH', POLICY, patch));
}

export interface TrustIssuerOptions {
  issuer: string;
  maxAssertionLifetime?: string | number;
  clockSkew?: string | number;
  /** Path of a JWKS (public keys) to pin; a new file replaces the pinned set. */
  jwksFile?: string;
  /** Drop the pinned set: the issuer's own metadata is fetched again. */
  unpinJwks?: boolean;
}

function parseSeconds(option: string, value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (String(value).trim() === '' || !Number.isInteger(seconds)) {
    throw new UsageError(`${option}: '${value}' is not a whole number of seconds`);
  }
  return seconds;
}

async function readJwksFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--jwks-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--jwks-file: ${path} is not JSON`);
  }
}

export async function trustIssuer(api: GraphApi, options: TrustIssuerOptions): Promise<TrustedIssuerView> {
  if (options.jwksFile !== undefined && options.unpinJwks) {
    throw new UsageError('--jwks-file and --unpin-jwks exclude each other');
  }
  const maxAssertionLifetimeSeconds = parseSeconds('--max-assertion-lifetime', options.maxAssertionLifetime);
  const clockSkewSeconds = parseSeconds('--clock-skew', options.clockSkew);
  const pinnedJwks = options.unpinJwks
    ? null
    : options.jwksFile === undefined
      ? undefined
      : await readJwksFile(options.jwksFile);
  const trusted = await api.call<TrustedIssuerView>('POST', TRUSTED, {
    issuer: options.issuer,
    ...(maxAssertionLifetimeSeconds !== undefined ? { maxAssertionLifetimeSeconds } : {}),
    ...(clockSkewSeconds !== undefined ? { clockSkewSeconds } : {}),
    ...(pinnedJwks !== undefined ? { pinnedJwks } : {}),
  });
  return withoutODataContext(trusted);
}

export async function untrustIssuer(api: GraphApi, options: { issuer: string }): Promise<undefined> {
  await api.call('DELETE', `${TRUSTED}/${encodeURIComponent(options.issuer)}`);
  return undefined;
}
