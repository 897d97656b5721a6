import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { type EnvValues, envPatches } from '../../src/mutation/env.ts';

const PATH = '/spec/containers/0';
const VALUES: EnvValues = [
  ['AZURE_CLIENT_ID', 'cid'],
  ['AZURE_TENANT_ID', 'tid'],
  ['AZURE_FEDERATED_TOKEN_FILE', '/t/f'],
  ['AZURE_AUTHORITY_HOST', 'https://a/'],
];
const all = VALUES.map(([name, value]) => ({ name, value }));

describe('rule: AZURE_* environment variables', () => {
  const cases: Array<[string, Record<string, unknown>, EnvValues, unknown[]]> = [
    [
      'no env: the whole array is added, in order',
      {},
      VALUES,
      [{ op: 'add', path: `${PATH}/env`, value: all }],
    ],
    ['env null: treated as absent', { env: null }, VALUES, [{ op: 'add', path: `${PATH}/env`, value: all }]],
    [
      'existing env: appended with /-, existing entries untouched',
      { env: [{ name: 'OTHER', value: '1' }] },
      VALUES,
      all.map((value) => ({ op: 'add', path: `${PATH}/env/-`, value })),
    ],
    [
      'a variable the user set is not added (whatever its value or source)',
      { env: [{ name: 'AZURE_CLIENT_ID', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      VALUES,
      all.slice(1).map((value) => ({ op: 'add', path: `${PATH}/env/-`, value })),
    ],
    [
      'empty and undefined values are never added',
      {},
      [
        ['AZURE_CLIENT_ID', undefined],
        ['AZURE_TENANT_ID', ''],
        ['AZURE_FEDERATED_TOKEN_FILE', '/t/f'],
      ],
      [{ op: 'add', path: `${PATH}/env`, value: [{ name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/t/f' }] }],
    ],
    ['everything already present: nothing', { env: all }, VALUES, []],
    [
      'empty env list: appended',
      { env: [] },
      VALUES.slice(0, 1),
      [{ op: 'add', path: `${PATH}/env/-`, value: all[0] }],
    ],
    [
      'junk entries in env are skipped when looking for names',
      { env: [7, null] },
      VALUES.slice(0, 1),
      [{ op: 'add', path: `${PATH}/env/-`, value: all[0] }],
    ],
  ];
  for (const [name, container, values, expected] of cases)
    test(name, () => assert.deepEqual(envPatches(container, PATH, values), expected));

  test('env that is not a list is refused, not overwritten', () =>
    assert.throws(
      () => envPatches({ env: { AZURE_CLIENT_ID: 'x' } }, PATH, VALUES),
      (error: unknown) => error instanceof CredlessError && error.code === 'webhook_pod_invalid',
    ));
});
