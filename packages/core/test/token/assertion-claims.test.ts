import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '../../src/errors/index.ts';
import {
  checkAssertionTimes,
  DEFAULT_CLOCK_SKEW_SECONDS,
  formatEntraInstant,
  readAssertionIdentity,
} from '../../src/token/assertion-claims.ts';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const SUB = 'system:serviceaccount:default:workload';
const NOW = 1_780_000_000; // 2026-05-28T20:26:40Z

function assertCode(fn: () => unknown, code: string, messagePart?: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected a CredlessError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
}

describe('readAssertionIdentity', () => {
  const accepted: Array<{ name: string; aud: unknown; audiences: string[] }> = [
    { name: 'aud a string', aud: 'api://AzureADTokenExchange', audiences: ['api://AzureADTokenExchange'] },
    {
      name: 'aud an array of one',
      aud: ['api://AzureADTokenExchange'],
      audiences: ['api://AzureADTokenExchange'],
    },
    {
      name: 'aud an array of two',
      aud: ['https://kubernetes.default.svc', 'api://AzureADTokenExchange'],
      audiences: ['https://kubernetes.default.svc', 'api://AzureADTokenExchange'],
    },
  ];
  for (const { name, aud, audiences } of accepted) {
    test(`${name} is accepted`, () => {
      assert.deepEqual(readAssertionIdentity({ iss: ISS, sub: SUB, aud }), {
        issuer: ISS,
        subject: SUB,
        audiences,
      });
    });
  }

  const refused: Array<{ name: string; payload: Record<string, unknown>; claim: string }> = [
    { name: 'aud missing', payload: { iss: ISS, sub: SUB }, claim: 'aud' },
    { name: 'aud an empty array', payload: { iss: ISS, sub: SUB, aud: [] }, claim: 'aud' },
    { name: 'aud [1]', payload: { iss: ISS, sub: SUB, aud: [1] }, claim: 'aud' },
    { name: "aud ['x', 1]", payload: { iss: ISS, sub: SUB, aud: ['x', 1] }, claim: 'aud' },
    { name: 'aud an empty string', payload: { iss: ISS, sub: SUB, aud: '' }, claim: 'aud' },
    { name: "aud ['']", payload: { iss: ISS, sub: SUB, aud: [''] }, claim: 'aud' },
    { name: 'aud an object', payload: { iss: ISS, sub: SUB, aud: { 0: 'x' } }, claim: 'aud' },
    { name: 'sub missing', payload: { iss: ISS, aud: 'a' }, claim: 'sub' },
    { name: 'sub empty', payload: { iss: ISS, sub: '', aud: 'a' }, claim: 'sub' },
    { name: 'sub a number', payload: { iss: ISS, sub: 5, aud: 'a' }, claim: 'sub' },
    { name: 'iss missing', payload: { sub: SUB, aud: 'a' }, claim: 'iss' },
  ];
  for (const { name, payload, claim } of refused) {
    test(`${name} → assertion_malformed naming '${claim}'`, () => {
      assertCode(() => readAssertionIdentity(payload), 'assertion_malformed', new RegExp(`'${claim}'`));
    });
  }
});

describe('checkAssertionTimes: exp boundaries', () => {
  // exp + skew ≥ now is valid: the skew forgives clocks that disagree by up to `skew` seconds.
  const grid: Array<{ exp: number; skew: number; valid: boolean }> = [
    { exp: NOW - 1, skew: 0, valid: false },
    { exp: NOW, skew: 0, valid: true },
    { exp: NOW + 1, skew: 0, valid: true },
    { exp: NOW - 1, skew: 30, valid: true },
    { exp: NOW, skew: 30, valid: true },
    { exp: NOW + 1, skew: 30, valid: true },
    { exp: NOW - 30, skew: 30, valid: true },
    { exp: NOW - 31, skew: 30, valid: false },
  ];
  for (const { exp, skew, valid } of grid) {
    test(`exp = now${exp - NOW >= 0 ? '+' : ''}${exp - NOW}, skew ${skew} → ${valid ? 'valid' : 'assertion_time_invalid'}`, () => {
      const check = () => checkAssertionTimes({ exp }, NOW, skew);
      if (valid) check();
      else assertCode(check, 'assertion_time_invalid');
    });
  }

  test('the default skew is 30 seconds', () => {
    assert.equal(DEFAULT_CLOCK_SKEW_SECONDS, 30);
    checkAssertionTimes({ exp: NOW - 30 }, NOW);
    assertCode(() => checkAssertionTimes({ exp: NOW - 31 }, NOW), 'assertion_time_invalid');
  });

  test('the error names now, valid-from and expiry in Entra format', () => {
    assert.throws(
      () => checkAssertionTimes({ exp: NOW - 100, nbf: NOW - 700, iat: NOW - 600 }, NOW, 0),
      (error: unknown) => {
        assert.ok(error instanceof CredlessError);
        assert.deepEqual(error.params, {
          now: '2026-05-28T20:26:40.0000000Z',
          validFrom: '2026-05-28T20:15:00.0000000Z',
          expiry: '2026-05-28T20:25:00.0000000Z',
        });
        assert.equal(
          error.message,
          'Client assertion is not within its valid time range. Current time: 2026-05-28T20:26:40.0000000Z, assertion valid from 2026-05-28T20:15:00.0000000Z, expiry time of assertion 2026-05-28T20:25:00.0000000Z.',
        );
        return true;
      },
    );
  });

  test("valid-from falls back to iat, then to 'unspecified'", () => {
    const paramsOf = (payload: Record<string, unknown>) => {
      try {
        checkAssertionTimes(payload, NOW, 0);
      } catch (error) {
        return (error as CredlessError).params;
      }
      assert.fail('expected a rejection');
    };
    assert.equal(paramsOf({ exp: NOW - 5, iat: NOW - 65 })['validFrom'], '2026-05-28T20:25:35.0000000Z');
    assert.equal(paramsOf({ exp: NOW - 5 })['validFrom'], 'unspecified');
  });
});

describe('checkAssertionTimes: nbf and iat', () => {
  const exp = NOW + 600;
  const cases: Array<{ name: string; payload: Record<string, unknown>; valid: boolean }> = [
    { name: 'nbf now', payload: { exp, nbf: NOW }, valid: true },
    { name: 'nbf in the past', payload: { exp, nbf: NOW - 600 }, valid: true },
    { name: 'nbf 30 s ahead (within skew)', payload: { exp, nbf: NOW + 30 }, valid: true },
    { name: 'nbf 31 s ahead (beyond skew)', payload: { exp, nbf: NOW + 31 }, valid: false },
    { name: 'iat 30 s ahead (within skew)', payload: { exp, iat: NOW + 30 }, valid: true },
    { name: 'iat 31 s ahead (beyond skew)', payload: { exp, iat: NOW + 31 }, valid: false },
    {
      name: 'nbf fine but iat in the future',
      payload: { exp, nbf: NOW - 10, iat: NOW + 3600 },
      valid: false,
    },
    {
      name: 'iat fine but nbf in the future',
      payload: { exp, iat: NOW - 10, nbf: NOW + 3600 },
      valid: false,
    },
  ];
  for (const { name, payload, valid } of cases) {
    test(`${name} → ${valid ? 'valid' : 'assertion_time_invalid'}`, () => {
      const check = () => checkAssertionTimes(payload, NOW, 30);
      if (valid) check();
      else assertCode(check, 'assertion_time_invalid');
    });
  }

  test('with no skew, nbf one second ahead is refused', () => {
    assertCode(() => checkAssertionTimes({ exp, nbf: NOW + 1 }, NOW, 0), 'assertion_time_invalid');
  });
});

describe('checkAssertionTimes: claim types', () => {
  const malformed: Array<{ name: string; payload: Record<string, unknown>; claim: string }> = [
    { name: 'exp missing', payload: { nbf: NOW - 1 }, claim: 'exp' },
    { name: 'exp a numeric string', payload: { exp: String(NOW + 60) }, claim: 'exp' },
    { name: "exp 'NaN'", payload: { exp: 'NaN' }, claim: 'exp' },
    { name: 'exp NaN', payload: { exp: Number.NaN }, claim: 'exp' },
    { name: 'exp Infinity', payload: { exp: Number.POSITIVE_INFINITY }, claim: 'exp' },
    { name: 'exp null', payload: { exp: null }, claim: 'exp' },
    { name: 'exp a boolean', payload: { exp: true }, claim: 'exp' },
    { name: 'nbf -Infinity', payload: { exp: NOW + 60, nbf: Number.NEGATIVE_INFINITY }, claim: 'nbf' },
    { name: 'nbf a string', payload: { exp: NOW + 60, nbf: '0' }, claim: 'nbf' },
    { name: 'iat an array', payload: { exp: NOW + 60, iat: [NOW] }, claim: 'iat' },
  ];
  for (const { name, payload, claim } of malformed) {
    test(`${name} → assertion_malformed naming '${claim}'`, () => {
      assertCode(() => checkAssertionTimes(payload, NOW), 'assertion_malformed', new RegExp(`'${claim}'`));
    });
  }

  test('fractional times are numbers and are compared as such', () => {
    checkAssertionTimes({ exp: NOW - 0.5 }, NOW, 0.5);
    assertCode(() => checkAssertionTimes({ exp: NOW - 0.5 }, NOW, 0), 'assertion_time_invalid');
  });

  test('times beyond the Date range still give a time error, not a crash', () => {
    // Finite JSON numbers beyond ±8.64e12 s: formatting them must not throw a RangeError (a 500) instead of the 401.
    assertCode(() => checkAssertionTimes({ exp: NOW + 60, nbf: 1e300 }, NOW), 'assertion_time_invalid');
    assertCode(() => checkAssertionTimes({ exp: -1e300 }, NOW), 'assertion_time_invalid');
  });
});

describe('formatEntraInstant', () => {
  const cases: Array<[number, string]> = [
    [0, '1970-01-01T00:00:00.0000000Z'],
    [NOW, '2026-05-28T20:26:40.0000000Z'],
    [NOW + 0.5, '2026-05-28T20:26:40.5000000Z'],
    [NOW + 0.123, '2026-05-28T20:26:40.1230000Z'],
    [1_000_000_000, '2001-09-09T01:46:40.0000000Z'],
    [1e300, '1e+300'],
  ];
  for (const [seconds, expected] of cases) {
    test(`${seconds} → ${expected}`, () => assert.equal(formatEntraInstant(seconds), expected));
  }
});
