import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { volumeMountPatches } from '../../src/mutation/volume-mount.ts';

const PATH = '/spec/initContainers/1';
const DIR = '/var/run/secrets/azure/tokens';
const mount = { name: 'azure-identity-token', mountPath: DIR, readOnly: true };

describe('rule: token volume mount', () => {
  const cases: Array<[string, Record<string, unknown>, unknown[]]> = [
    ['no mounts: the list is added', {}, [{ op: 'add', path: `${PATH}/volumeMounts`, value: [mount] }]],
    [
      'other mounts: appended',
      { volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      [{ op: 'add', path: `${PATH}/volumeMounts/-`, value: mount }],
    ],
    ['already mounted (reinvocation): nothing', { volumeMounts: [mount] }, []],
    [
      'mounted by the user elsewhere: left alone',
      { volumeMounts: [{ name: 'azure-identity-token', mountPath: '/custom' }] },
      [],
    ],
    [
      'a mount below the token directory is no conflict',
      { volumeMounts: [{ name: 'x', mountPath: `${DIR}/sub` }] },
      [{ op: 'add', path: `${PATH}/volumeMounts/-`, value: mount }],
    ],
  ];
  for (const [name, container, expected] of cases)
    test(name, () => assert.deepEqual(volumeMountPatches(container, PATH, DIR), expected));

  for (const mountPath of [DIR, `${DIR}/`])
    test(`another volume at ${mountPath} is refused with a clear message`, () =>
      assert.throws(
        () =>
          volumeMountPatches({ name: 'app', volumeMounts: [{ name: 'old-token', mountPath }] }, PATH, DIR),
        (error: unknown) =>
          error instanceof CredlessError &&
          error.code === 'webhook_mount_conflict' &&
          /container "app" already mounts volume "old-token" at \/var\/run\/secrets\/azure\/tokens/.test(
            error.message,
          ),
      ));

  test('volumeMounts that is not a list is refused', () =>
    assert.throws(() => volumeMountPatches({ volumeMounts: 'x' }, PATH, DIR), /volumeMounts is not a list/));
});
