import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { CredlessError } from '../../src/errors/index.ts';
import { DEFAULT_MAX_ASSERTION_LENGTH, peekAssertion } from '../../src/token/assertion-structure.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const json = (value: unknown) => b64url(JSON.stringify(value));
/** A canonical signature segment (the bytes are never verified here). */
const SIG = b64url('not-a-real-signature');

function token(
  header: unknown = { alg: 'RS256', kid: 'k1', typ: 'JWT' },
  payload: unknown = { iss: ISSUER, sub: 'repo:o/r:ref:refs/heads/main' },
  signature = SIG,
) {
  return `${json(header)}.${json(payload)}.${signature}`;
}

type Code = 'assertion_malformed' | 'assertion_signature_invalid';
const MALFORMED: Code = 'assertion_malformed';
const SIGNATURE: Code = 'assertion_signature_invalid';

function assertRejected(assertion: string, code: Code, reasonPart?: RegExp, maxLength?: number) {
  assert.throws(
    () => peekAssertion(assertion, maxLength),
    (error: unknown) => {
      assert.ok(error instanceof CredlessError, `expected a CredlessError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      if (reasonPart) assert.match(String(error.params['reason']), reasonPart);
      return true;
    },
  );
}

describe('peekAssertion: well-formed tokens', () => {
  test('RS256 with kid', () => {
    const peeked = peekAssertion(token());
    assert.equal(peeked.alg, 'RS256');
    assert.equal(peeked.kid, 'k1');
    assert.equal(peeked.issuer, ISSUER);
    assert.deepEqual(peeked.header, { alg: 'RS256', kid: 'k1', typ: 'JWT' });
    assert.deepEqual(peeked.payload, { iss: ISSUER, sub: 'repo:o/r:ref:refs/heads/main' });
  });

  test('ES256 without kid', () => {
    const peeked = peekAssertion(token({ alg: 'ES256' }));
    assert.equal(peeked.alg, 'ES256');
    assert.equal(peeked.kid, undefined);
  });

  for (const alg of ['RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES384', 'ES512']) {
    test(`${alg} is accepted`, () => assert.equal(peekAssertion(token({ alg })).alg, alg));
  }

  test('kid of exactly 256 characters is accepted', () => {
    assert.equal(peekAssertion(token({ alg: 'RS256', kid: 'k'.repeat(256) })).kid?.length, 256);
  });

  test('a token exactly at the length limit is accepted, one character more is not', () => {
    const assertion = token();
    assert.equal(peekAssertion(assertion, assertion.length).issuer, ISSUER);
    assertRejected(
      assertion,
      MALFORMED,
      new RegExp(`longer than ${assertion.length - 1}`),
      assertion.length - 1,
    );
  });
});

describe('peekAssertion: structural rejections', () => {
  const cases: Array<{ name: string; assertion: () => string; code: Code; reason?: RegExp }> = [
    {
      name: 'longer than the default limit',
      assertion: () =>
        token({ alg: 'RS256' }, { iss: ISSUER, pad: 'x'.repeat(DEFAULT_MAX_ASSERTION_LENGTH) }),
      code: MALFORMED,
      reason: /longer than 16384/,
    },
    {
      name: 'two segments',
      assertion: () => `${json({ alg: 'RS256' })}.${json({ iss: ISSUER })}`,
      code: MALFORMED,
      reason: /three segments/,
    },
    {
      name: 'four segments',
      assertion: () => `${token()}.${SIG}`,
      code: MALFORMED,
      reason: /three segments/,
    },
    {
      name: 'one segment',
      assertion: () => json({ alg: 'RS256' }),
      code: MALFORMED,
      reason: /three segments/,
    },
    { name: 'empty string', assertion: () => '', code: MALFORMED },
    {
      name: 'five segments (JWE)',
      assertion: () => [json({ alg: 'RSA-OAEP', enc: 'A256GCM' }), SIG, SIG, SIG, SIG].join('.'),
      code: MALFORMED,
      reason: /JWE/,
    },
    {
      name: "'+' in the header",
      assertion: () => `a+b${token().slice(3)}`,
      code: MALFORMED,
      reason: /header is not base64url/,
    },
    {
      name: "'/' in the payload",
      assertion: () => `${json({ alg: 'RS256' })}.ab/c.${SIG}`,
      code: MALFORMED,
      reason: /payload is not base64url/,
    },
    {
      name: 'a space in the signature',
      assertion: () => token(undefined, undefined, 'ab cd'),
      code: MALFORMED,
      reason: /signature is not base64url/,
    },
    {
      name: 'padding on the header',
      assertion: () => token().replace('.', '=.'),
      code: MALFORMED,
      reason: /header is not base64url/,
    },
    {
      name: 'padding on the signature',
      assertion: () => token(undefined, undefined, 'YQ=='),
      code: MALFORMED,
      reason: /signature is not base64url/,
    },
    {
      name: 'empty header segment',
      assertion: () => `.${json({ iss: ISSUER })}.${SIG}`,
      code: MALFORMED,
      reason: /header is not base64url/,
    },
    // 'YR' decodes to the same byte as 'YQ' ("a"): the low bits of the last character must be zero.
    {
      name: 'non-canonical trailing bits in the signature',
      assertion: () => token(undefined, undefined, 'YR'),
      code: MALFORMED,
      reason: /signature is not canonical/,
    },
    {
      name: 'non-canonical trailing bits in the payload',
      assertion: () => {
        const payload = json({ iss: ISSUER, x: 'a' });
        const last = payload.at(-1) ?? '';
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const bumped = alphabet[alphabet.indexOf(last) + 1] ?? '';
        return `${json({ alg: 'RS256' })}.${payload.slice(0, -1)}${bumped}.${SIG}`;
      },
      code: MALFORMED,
      reason: /payload is not canonical/,
    },
    {
      name: 'header not JSON',
      assertion: () => `${b64url('{alg:RS256')}.${json({ iss: ISSUER })}.${SIG}`,
      code: MALFORMED,
      reason: /header is not JSON/,
    },
    {
      name: 'header a JSON string',
      assertion: () => token('RS256'),
      code: MALFORMED,
      reason: /header is not a JSON object/,
    },
    {
      name: 'header JSON null',
      assertion: () => token(null),
      code: MALFORMED,
      reason: /header is not a JSON object/,
    },
    {
      name: 'header an array',
      assertion: () => token([{ alg: 'RS256' }]),
      code: MALFORMED,
      reason: /header is not a JSON object/,
    },
    {
      name: "alg 'none'",
      assertion: () => token({ alg: 'none' }, undefined, ''),
      code: SIGNATURE,
      reason: /none/,
    },
    {
      name: "alg 'none' with a signature",
      assertion: () => token({ alg: 'none' }),
      code: SIGNATURE,
      reason: /none/,
    },
    {
      name: 'RS256 with an empty signature',
      assertion: () => token({ alg: 'RS256' }, undefined, ''),
      code: SIGNATURE,
      reason: /unsigned/,
    },
    {
      name: 'alg HS256',
      assertion: () => token({ alg: 'HS256' }),
      code: SIGNATURE,
      reason: /'HS256' is not accepted/,
    },
    {
      name: 'alg unknown',
      assertion: () => token({ alg: 'RS1024' }),
      code: SIGNATURE,
      reason: /'RS1024' is not accepted/,
    },
    { name: 'alg lowercase', assertion: () => token({ alg: 'rs256' }), code: SIGNATURE },
    {
      name: 'alg missing',
      assertion: () => token({ kid: 'k1' }),
      code: SIGNATURE,
      reason: /'undefined' is not accepted/,
    },
    { name: 'alg not a string', assertion: () => token({ alg: ['RS256'] }), code: SIGNATURE },
    {
      name: 'jku header',
      assertion: () => token({ alg: 'RS256', jku: 'https://evil.example/jwks' }),
      code: SIGNATURE,
      reason: /'jku'/,
    },
    {
      name: 'x5u header',
      assertion: () => token({ alg: 'RS256', x5u: 'https://evil.example/cert' }),
      code: SIGNATURE,
      reason: /'x5u'/,
    },
    {
      name: 'jwk header',
      assertion: () => token({ alg: 'RS256', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }),
      code: SIGNATURE,
      reason: /'jwk'/,
    },
    {
      name: 'x5c header',
      assertion: () => token({ alg: 'RS256', x5c: ['MIIB'] }),
      code: SIGNATURE,
      reason: /'x5c'/,
    },
    {
      name: 'jwk header set to null',
      assertion: () => token({ alg: 'RS256', jwk: null }),
      code: SIGNATURE,
      reason: /'jwk'/,
    },
    {
      name: 'crit header',
      assertion: () => token({ alg: 'RS256', crit: ['exp'] }),
      code: SIGNATURE,
      reason: /'crit'/,
    },
    {
      name: 'b64 header',
      assertion: () => token({ alg: 'RS256', b64: false }),
      code: SIGNATURE,
      reason: /'b64'/,
    },
    {
      name: 'enc header',
      assertion: () => token({ alg: 'RS256', enc: 'A256GCM' }),
      code: MALFORMED,
      reason: /JWE/,
    },
    {
      name: 'zip header',
      assertion: () => token({ alg: 'RS256', zip: 'DEF' }),
      code: MALFORMED,
      reason: /JWE/,
    },
    {
      name: 'kid a number',
      assertion: () => token({ alg: 'RS256', kid: 1 }),
      code: MALFORMED,
      reason: /'kid'/,
    },
    {
      name: 'kid null',
      assertion: () => token({ alg: 'RS256', kid: null }),
      code: MALFORMED,
      reason: /'kid'/,
    },
    {
      name: 'kid empty',
      assertion: () => token({ alg: 'RS256', kid: '' }),
      code: MALFORMED,
      reason: /'kid'/,
    },
    {
      name: 'kid of 257 characters',
      assertion: () => token({ alg: 'RS256', kid: 'k'.repeat(257) }),
      code: MALFORMED,
      reason: /'kid'/,
    },
    {
      name: 'payload not JSON',
      assertion: () => `${json({ alg: 'RS256' })}.${b64url('iss=x')}.${SIG}`,
      code: MALFORMED,
      reason: /payload is not JSON/,
    },
    {
      name: 'payload an array',
      assertion: () => token(undefined, [{ iss: ISSUER }]),
      code: MALFORMED,
      reason: /payload is not a JSON object/,
    },
    {
      name: 'payload a number',
      assertion: () => token(undefined, 42),
      code: MALFORMED,
      reason: /payload is not a JSON object/,
    },
    {
      name: 'iss missing',
      assertion: () => token(undefined, { sub: 's' }),
      code: MALFORMED,
      reason: /'iss'/,
    },
    { name: 'iss empty', assertion: () => token(undefined, { iss: '' }), code: MALFORMED, reason: /'iss'/ },
    { name: 'iss a number', assertion: () => token(undefined, { iss: 7 }), code: MALFORMED, reason: /'iss'/ },
    {
      name: 'iss an array',
      assertion: () => token(undefined, { iss: [ISSUER] }),
      code: MALFORMED,
      reason: /'iss'/,
    },
  ];

  for (const { name, assertion, code, reason } of cases) {
    test(`${name} → ${code}`, () => assertRejected(assertion(), code, reason));
  }

  test('the algorithm named in an error is cut to 20 characters', () => {
    assertRejected(token({ alg: 'X'.repeat(500) }), SIGNATURE, /'X{20}' is not accepted/);
  });

  // The check reads the last character's unused bits instead of re-encoding: it must refuse exactly
  // what a decode/re-encode round trip would, for every tail of 1 to 3 characters after whole quads.
  test('a signature is refused as non-canonical exactly when its round trip differs', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tails = [...alphabet].flatMap((a) => [a, ...[...alphabet].flatMap((b) => [a + b, `${a}${b}Q`])]);
    for (const tail of tails) {
      const signature = `AAAA${tail}`;
      const canonical = Buffer.from(signature, 'base64url').toString('base64url') === signature;
      let refused = false;
      try {
        peekAssertion(token(undefined, undefined, signature));
      } catch (error) {
        refused = error instanceof CredlessError && /not canonical/.test(error.message);
      }
      assert.equal(refused, !canonical, `signature ${signature}`);
    }
  });
});
