import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMutationConfig } from '../../src/mutation/config.ts';
import { tokenVolumePatches } from '../../src/mutation/token-volume.ts';
import { AUTHORITY, config } from '../support.ts';

const volume = (
  expirationSeconds: number,
  audience = 'api://AzureADTokenExchange',
  path = 'azure-identity-token',
) => ({
  name: 'azure-identity-token',
  projected: { sources: [{ serviceAccountToken: { path, expirationSeconds, audience } }] },
});

describe('rule: projected token volume', () => {
  const custom = compileMutationConfig({
    authorityHost: AUTHORITY,
    audience: 'api://credless',
    tokenPath: '/var/run/secrets/tokens/token',
  });
  const cases: Array<[string, Record<string, unknown>, typeof config, number, unknown[]]> = [
    [
      'no volumes: the list is added',
      {},
      config,
      3600,
      [{ op: 'add', path: '/spec/volumes', value: [volume(3600)] }],
    ],
    [
      'other volumes: appended',
      { volumes: [{ name: 'data', emptyDir: {} }] },
      config,
      7200,
      [{ op: 'add', path: '/spec/volumes/-', value: volume(7200) }],
    ],
    ['already there (reinvocation): nothing', { volumes: [volume(3600)] }, config, 3600, []],
    [
      'a user-written volume of that name is kept as is',
      { volumes: [{ name: 'azure-identity-token', emptyDir: {} }] },
      config,
      3600,
      [],
    ],
    [
      'audience and file name from configuration',
      {},
      custom,
      3600,
      [{ op: 'add', path: '/spec/volumes', value: [volume(3600, 'api://credless', 'token')] }],
    ],
  ];
  for (const [name, spec, cfg, expiration, expected] of cases)
    test(name, () => assert.deepEqual(tokenVolumePatches(spec, cfg, expiration), expected));

  test('volumes that is not a list is refused', () =>
    assert.throws(() => tokenVolumePatches({ volumes: {} }, config, 3600), /volumes is not a list/));
});
