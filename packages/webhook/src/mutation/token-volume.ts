/**
 * Rule: the projected service-account-token volume. Added once per pod: a volume of that name already
 * present (reinvocation, or a user who wrote it by hand) is left exactly as it is.
 * @module
 */
import { CredlessError } from '@credless/core';
import { TOKEN_VOLUME_NAME } from './constants.ts';
import { type AddOperation, isObject, type JsonObject, type MutationConfig } from './types.ts';

export function tokenVolumePatches(
  spec: JsonObject,
  config: Pick<MutationConfig, 'audience' | 'tokenFileName'>,
  expirationSeconds: number,
): AddOperation[] {
  const volumes = spec['volumes'];
  if (volumes !== undefined && volumes !== null && !Array.isArray(volumes))
    throw new CredlessError('webhook_pod_invalid', { reason: '/spec/volumes is not a list' });
  if (volumes?.some((volume) => isObject(volume) && volume['name'] === TOKEN_VOLUME_NAME)) return [];
  const volume = {
    name: TOKEN_VOLUME_NAME,
    projected: {
      sources: [
        {
          serviceAccountToken: {
            path: config.tokenFileName,
            expirationSeconds,
            audience: config.audience,
          },
        },
      ],
    },
  };
  if (!Array.isArray(volumes)) return [{ op: 'add', path: '/spec/volumes', value: [volume] }];
  return [{ op: 'add', path: '/spec/volumes/-', value: volume }];
}
