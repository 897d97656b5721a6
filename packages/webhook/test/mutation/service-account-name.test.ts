import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serviceAccountName } from '../../src/mutation/service-account-name.ts';

describe('rule: the pod ServiceAccount', () => {
  const cases: Array<[string, unknown, string]> = [
    ['serviceAccountName', { serviceAccountName: 'api' }, 'api'],
    ['deprecated serviceAccount', { serviceAccount: 'legacy' }, 'legacy'],
    [
      'serviceAccountName wins over serviceAccount',
      { serviceAccountName: 'api', serviceAccount: 'legacy' },
      'api',
    ],
    ['absent means default', {}, 'default'],
    ['empty string means default', { serviceAccountName: '' }, 'default'],
    ['not a string means default', { serviceAccountName: 42 }, 'default'],
    ['no spec object', null, 'default'],
  ];
  for (const [name, spec, expected] of cases)
    test(name, () => assert.equal(serviceAccountName(spec), expected));
});
