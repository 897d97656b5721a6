import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { usesWorkloadIdentity } from '../../src/mutation/use-label.ts';

describe('rule: the azure.workload.identity/use label', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['"true"', { labels: { 'azure.workload.identity/use': 'true' } }, true],
    ['"false"', { labels: { 'azure.workload.identity/use': 'false' } }, false],
    [
      '"True" (label values are case-sensitive, as in the objectSelector)',
      { labels: { 'azure.workload.identity/use': 'True' } },
      false,
    ],
    ['boolean true (not a label value)', { labels: { 'azure.workload.identity/use': true } }, false],
    ['other labels only', { labels: { app: 'web' } }, false],
    ['no labels', {}, false],
    ['no metadata', undefined, false],
  ];
  for (const [name, metadata, expected] of cases)
    test(name, () => assert.equal(usesWorkloadIdentity(metadata), expected));
});
