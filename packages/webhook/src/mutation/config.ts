/**
 * Builds the mutation's fixed settings from options, failing early (at start, not per pod) on values
 * that would produce a broken pod: a relative token path, an empty authority.
 * @module
 */
import { posix } from 'node:path';
import { CredlessError } from '@credless/core';
import { DEFAULT_AUDIENCE, DEFAULT_TOKEN_PATH } from './constants.ts';
import type { MutationConfig } from './types.ts';

export interface MutationOptions {
  authorityHost: string;
  tenantId?: string | undefined;
  audience?: string | undefined;
  tokenPath?: string | undefined;
}

export function compileMutationConfig(options: MutationOptions): MutationConfig {
  const invalid = (reason: string) => new CredlessError('webhook_config_invalid', { reason });
  let authority: URL;
  try {
    authority = new URL(options.authorityHost);
  } catch {
    throw invalid(`authority host '${options.authorityHost}' is not a URL`);
  }
  // MSAL refuses plain-http authorities, so a pod given one could never get a token.
  if (authority.protocol !== 'https:')
    throw invalid(`authority host must be https (got ${authority.protocol})`);
  const tokenPath = options.tokenPath ?? DEFAULT_TOKEN_PATH;
  if (!posix.isAbsolute(tokenPath) || posix.normalize(tokenPath) !== tokenPath || tokenPath.endsWith('/'))
    throw invalid(`token path '${tokenPath}' must be an absolute, normalized file path`);
  const mountPath = posix.dirname(tokenPath);
  if (mountPath === '/') throw invalid('token path must be inside a directory, not at /');
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  if (audience.trim() === '') throw invalid('audience must not be empty');
  const tenantId = options.tenantId?.trim() || undefined;
  return {
    // azure-workload-identity hands out the authority with a trailing slash; SDKs accept both.
    authorityHost: authority.href.endsWith('/') ? authority.href : `${authority.href}/`,
    tenantId,
    audience,
    tokenPath,
    mountPath,
    tokenFileName: posix.basename(tokenPath),
  };
}
