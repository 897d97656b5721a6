import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeFederatedIdentityCredential } from '../../src/directory/federated-credential-rules.ts';
import { CredlessError } from '../../src/errors/index.ts';

const base = { name: 'github-org', issuer: 'https://token.actions.githubusercontent.com' };
const EXPRESSION = "claims['sub'] matches 'repo:contoso/*'";

const refused = (field: string, reason: RegExp) => (error: unknown) => {
  assert.ok(error instanceof CredlessError);
  assert.equal(error.code, 'invalid_value');
  assert.equal(error.params['field'], field);
  assert.match(String(error.params['reason']), reason);
  return true;
};

describe('normalizeFederatedIdentityCredential: subject XOR claimsMatchingExpression', () => {
  test('an expression credential has a null subject', () => {
    const result = normalizeFederatedIdentityCredential({
      ...base,
      claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
    });
    assert.equal(result.subject, null);
    assert.deepEqual(result.claimsMatchingExpression, { value: EXPRESSION, languageVersion: 1 });
  });

  test("Graph's explicit nulls count as absent", () => {
    const flexible = normalizeFederatedIdentityCredential({
      ...base,
      subject: null,
      claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
    });
    assert.equal(flexible.subject, null);
    const exact = normalizeFederatedIdentityCredential({
      ...base,
      subject: 's',
      claimsMatchingExpression: null,
    });
    assert.equal(exact.claimsMatchingExpression, null);
  });

  const errors: Array<{ what: string; input: Record<string, unknown>; field: string; reason: RegExp }> = [
    {
      what: 'both',
      input: { ...base, subject: 's', claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 } },
      field: 'claimsMatchingExpression',
      reason: /not be set together with 'subject'/,
    },
    {
      what: 'neither',
      input: base,
      field: 'subject',
      reason: /is required \(or set claimsMatchingExpression/,
    },
    {
      what: 'expression a string',
      input: { ...base, claimsMatchingExpression: EXPRESSION },
      field: 'claimsMatchingExpression',
      reason: /must be an object/,
    },
    {
      what: 'language version 2',
      input: { ...base, claimsMatchingExpression: { value: EXPRESSION, languageVersion: 2 } },
      field: 'claimsMatchingExpression.languageVersion',
      reason: /must be 1/,
    },
    {
      what: 'language version missing',
      input: { ...base, claimsMatchingExpression: { value: EXPRESSION } },
      field: 'claimsMatchingExpression.languageVersion',
      reason: /must be 1/,
    },
    {
      what: 'value missing',
      input: { ...base, claimsMatchingExpression: { languageVersion: 1 } },
      field: 'claimsMatchingExpression.value',
      reason: /is required/,
    },
    {
      what: 'value not parsing',
      input: { ...base, claimsMatchingExpression: { value: "claims['sub'] like 'x'", languageVersion: 1 } },
      field: 'claimsMatchingExpression',
      reason: /expected 'matches' or 'eq' at position 15/,
    },
  ];
  for (const { what, input, field, reason } of errors) {
    test(`refused: ${what}`, () => {
      assert.throws(() => normalizeFederatedIdentityCredential(input), refused(field, reason));
    });
  }
});
