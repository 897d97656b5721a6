import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLAIMS_EXPRESSION_LIMITS,
  type ClaimsClause,
  parseClaimsExpression,
} from '../../src/claims-expression/index.ts';
import { CredlessError } from '../../src/errors/index.ts';

const clauses = (text: string) =>
  parseClaimsExpression(text).clauses.map(({ claim, op, expected }) => ({ claim, op, expected }));

describe('parseClaimsExpression: valid forms', () => {
  const cases: Array<{ text: string; want: Array<Omit<ClaimsClause, 'position'>> }> = [
    {
      text: "claims['sub'] matches 'repo:contoso/*'",
      want: [{ claim: 'sub', op: 'matches', expected: 'repo:contoso/*' }],
    },
    { text: "claims['sub'] eq 'x'", want: [{ claim: 'sub', op: 'eq', expected: 'x' }] },
    {
      text: "CLAIMS['sub'] MATCHES 'a*' AND Claims['job_workflow_ref'] Eq 'B'",
      want: [
        { claim: 'sub', op: 'matches', expected: 'a*' },
        { claim: 'job_workflow_ref', op: 'eq', expected: 'B' },
      ],
    },
    {
      text: "  claims[ 'sub' ]\tmatches  'a'   and   claims['x'] eq 'b'  ",
      want: [
        { claim: 'sub', op: 'matches', expected: 'a' },
        { claim: 'x', op: 'eq', expected: 'b' },
      ],
    },
    { text: "claims['sub'] eq ''", want: [{ claim: 'sub', op: 'eq', expected: '' }] },
    { text: "claims['sub'] eq 'it''s'", want: [{ claim: 'sub', op: 'eq', expected: "it's" }] },
    { text: "claims['sub'] eq 'it\\'s'", want: [{ claim: 'sub', op: 'eq', expected: "it's" }] },
    { text: "claims['sub'] eq 'a\\\\'", want: [{ claim: 'sub', op: 'eq', expected: 'a\\' }] },
    { text: "claims['sub'] eq 'a\\b'", want: [{ claim: 'sub', op: 'eq', expected: 'a\\b' }] },
    { text: "claims['sub'] eq 'and claims'", want: [{ claim: 'sub', op: 'eq', expected: 'and claims' }] },
    {
      text: "claims['terraform.run-phase:x'] eq 'apply'",
      want: [{ claim: 'terraform.run-phase:x', op: 'eq', expected: 'apply' }],
    },
    { text: "claims['Sub'] eq 'ÄÖ 🙂'", want: [{ claim: 'Sub', op: 'eq', expected: 'ÄÖ 🙂' }] },
  ];
  for (const { text, want } of cases) {
    test(text, () => assert.deepEqual(clauses(text), want));
  }

  test('clause positions are 1-based columns', () => {
    const parsed = parseClaimsExpression(" claims['a'] eq 'b' and claims['c'] eq 'd'");
    assert.deepEqual(
      parsed.clauses.map((clause) => clause.position),
      [2, 25],
    );
    assert.equal(parsed.languageVersion, 1);
  });

  test('exactly the limits are accepted', () => {
    const many = Array.from(
      { length: CLAIMS_EXPRESSION_LIMITS.maxClauses },
      (_, i) => `claims['c${i}'] eq 'v'`,
    ).join(' and ');
    assert.equal(parseClaimsExpression(many).clauses.length, 16);
    const longGlob = `claims['sub'] matches '${'a'.repeat(512)}'`;
    assert.equal(parseClaimsExpression(longGlob).clauses[0]?.expected.length, 512);
    const padded = `claims['sub'] eq 'x'${' '.repeat(1024 - 20)}`;
    assert.equal(padded.length, 1024);
    assert.equal(parseClaimsExpression(padded).clauses.length, 1);
  });
});

describe('parseClaimsExpression: errors name the position and what was expected', () => {
  const sixteen = Array.from({ length: 16 }, (_, i) => `claims['c${i}'] eq 'v'`).join(' and ');
  const cases: Array<{ text: string; reason: string }> = [
    { text: '', reason: "expected a clause such as claims['sub'] eq '…' at position 1" },
    { text: '   ', reason: "expected a clause such as claims['sub'] eq '…' at position 4" },
    { text: "claim['sub'] eq 'x'", reason: "expected 'claims' at position 1" },
    { text: "claims.sub eq 'x'", reason: "expected '[' at position 7" },
    { text: "claims[sub] eq 'x'", reason: 'expected a claim name in single quotes at position 8' },
    { text: "claims[''] eq 'x'", reason: 'expected a non-empty claim name at position 8' },
    {
      text: "claims['s b'] eq 'x'",
      reason: "expected a claim name of letters, digits, '_', '-', '.' or ':' at position 8",
    },
    {
      text: `claims['${'c'.repeat(129)}'] eq 'x'`,
      reason: 'expected a claim name of at most 128 characters at position 8',
    },
    { text: "claims['sub' eq 'x'", reason: "expected ']' at position 14" },
    { text: "claims['sub'] like 'x'", reason: "expected 'matches' or 'eq' at position 15" },
    { text: "claims['sub'] ne 'x'", reason: "expected 'matches' or 'eq' at position 15" },
    { text: "claims['sub']", reason: "expected 'matches' or 'eq' at position 14" },
    { text: "claims['sub'] eq x", reason: 'expected a value in single quotes at position 18' },
    { text: 'claims[\'sub\'] matches "x"', reason: 'expected a pattern in single quotes at position 23' },
    { text: "claims['sub'] eq 'x", reason: 'unterminated string (expected a closing "\'") at position 18' },
    {
      text: "claims['sub] eq 'x'",
      reason: "expected a claim name of letters, digits, '_', '-', '.' or ':' at position 8",
    },
    {
      text: "claims['sub'] eq 'x' or claims['a'] eq 'b'",
      reason: "expected 'and' or the end of the expression at position 22",
    },
    { text: "claims['sub'] eq 'x' and", reason: "expected 'claims' at position 25" },
    {
      text: "claims['sub'] eq 'x' andclaims['a'] eq 'b'",
      reason: "expected 'and' or the end of the expression at position 22",
    },
    {
      text: "claims['sub'] eq 'x' 'y'",
      reason: "expected 'and' or the end of the expression at position 22",
    },
    {
      text: `claims['sub'] matches '${'a'.repeat(513)}'`,
      reason: 'expected a comparand of at most 512 characters at position 23',
    },
    {
      text: `${sixteen} and claims['x'] eq 'y'`,
      reason: `expected at most 16 clauses at position ${sixteen.length + 6}`,
    },
    {
      text: `claims['sub'] eq 'x'${' '.repeat(1005)}`,
      reason: 'expected the expression to end (at most 1024 characters) at position 1025',
    },
  ];
  for (const { text, reason } of cases) {
    test(`${JSON.stringify(text.slice(0, 60))} → ${reason.slice(0, 70)}`, () => {
      assert.throws(
        () => parseClaimsExpression(text),
        (error: unknown) => {
          assert.ok(error instanceof CredlessError);
          assert.equal(error.code, 'invalid_value');
          assert.deepEqual(error.params, { field: 'claimsMatchingExpression', reason });
          return true;
        },
      );
    });
  }

  test('a non-string is refused', () => {
    assert.throws(() => parseClaimsExpression(42 as unknown as string), /must be a string/);
  });
});
