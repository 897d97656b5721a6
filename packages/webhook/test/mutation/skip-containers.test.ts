import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SKIP_CONTAINERS_ANNOTATION as KEY } from '../../src/mutation/constants.ts';
import { skippedContainers } from '../../src/mutation/skip-containers.ts';

describe('rule: skip-containers annotation', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['absent', {}, []],
    ['one name', { [KEY]: 'istio-proxy' }, ['istio-proxy']],
    ['several, trimmed', { [KEY]: ' a ; b;c ' }, ['a', 'b', 'c']],
    ['empty entries ignored', { [KEY]: ';a;;' }, ['a']],
    ['empty string', { [KEY]: '' }, []],
    ['not a string', { [KEY]: ['a'] }, []],
  ];
  for (const [name, annotations, expected] of cases)
    test(name, () => assert.deepEqual([...skippedContainers(annotations)].sort(), expected));
});
