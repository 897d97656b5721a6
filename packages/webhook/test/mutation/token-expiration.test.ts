import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { TOKEN_EXPIRATION_ANNOTATION as KEY } from '../../src/mutation/constants.ts';
import { tokenExpirationSeconds } from '../../src/mutation/token-expiration.ts';

const where = { pod: 'apps/web-0', serviceAccount: 'apps/workload' };

describe('rule: projected token expiration', () => {
  const valid: Array<[string, Record<string, unknown>, Record<string, string>, number]> = [
    ['default 3600', {}, {}, 3600],
    ['from the ServiceAccount', {}, { [KEY]: '7200' }, 7200],
    ['pod annotation wins', { [KEY]: '86400' }, { [KEY]: '7200' }, 86400],
    ['lower bound inclusive', { [KEY]: '3600' }, {}, 3600],
    ['upper bound inclusive', {}, { [KEY]: '86400' }, 86400],
    ['surrounding spaces tolerated', { [KEY]: ' 4000 ' }, {}, 4000],
    ['empty pod annotation counts as absent', { [KEY]: '' }, {}, 3600],
    ['empty pod annotation: the ServiceAccount one applies', { [KEY]: '' }, { [KEY]: '7200' }, 7200],
    ['blank ServiceAccount annotation counts as absent', {}, { [KEY]: '  ' }, 3600],
  ];
  for (const [name, pod, sa, expected] of valid)
    test(name, () => assert.equal(tokenExpirationSeconds(pod, sa, where), expected));

  const invalid: Array<[string, Record<string, unknown>, Record<string, string>, RegExp]> = [
    [
      'below the range',
      { [KEY]: '3599' },
      {},
      /token expiration 3599 not valid.*between 3600 and 86400.*pod apps\/web-0/,
    ],
    [
      'above the range (on the ServiceAccount)',
      {},
      { [KEY]: '86401' },
      /86401 not valid.*ServiceAccount apps\/workload/,
    ],
    ['not a number', { [KEY]: '1h' }, {}, /"1h" not valid/],
    ['a fraction', { [KEY]: '3600.5' }, {}, /"3600.5" not valid/],
    ['negative', { [KEY]: '-3600' }, {}, /not valid/],
    [
      'a bad pod value is not rescued by a good ServiceAccount one',
      { [KEY]: 'x' },
      { [KEY]: '3600' },
      /"x".*pod/,
    ],
    ['not a string', { [KEY]: 7200 }, {}, /7200 not valid/],
  ];
  for (const [name, pod, sa, message] of invalid)
    test(`refused: ${name}`, () =>
      assert.throws(
        () => tokenExpirationSeconds(pod, sa, where),
        (error: unknown) =>
          error instanceof CredlessError &&
          error.code === 'webhook_token_expiration_invalid' &&
          message.test(error.message),
      ));
});
