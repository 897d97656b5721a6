import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateClaimsExpression, parseClaimsExpression } from '../../src/claims-expression/index.ts';

const WORKFLOW = 'contoso/shared/.github/workflows/deploy.yml@refs/heads/main';
const GITHUB_EXPRESSION = `claims['sub'] matches 'repo:contoso/*' and claims['job_workflow_ref'] eq '${WORKFLOW}'`;

const evaluate = (text: string, claims: Record<string, unknown>) =>
  evaluateClaimsExpression(parseClaimsExpression(text), claims);

describe('evaluateClaimsExpression', () => {
  test('all clauses matching: matched, with each clause reported', () => {
    const result = evaluate(GITHUB_EXPRESSION, {
      sub: 'repo:contoso/web:ref:refs/heads/main',
      job_workflow_ref: WORKFLOW,
      iss: 'https://token.actions.githubusercontent.com',
    });
    assert.deepEqual(result, {
      matched: true,
      clauses: [
        {
          claim: 'sub',
          op: 'matches',
          expected: 'repo:contoso/*',
          actual: 'repo:contoso/web:ref:refs/heads/main',
          matched: true,
        },
        { claim: 'job_workflow_ref', op: 'eq', expected: WORKFLOW, actual: WORKFLOW, matched: true },
      ],
    });
  });

  test('one failing clause fails the whole, and every clause is still evaluated', () => {
    const result = evaluate(GITHUB_EXPRESSION, {
      sub: 'repo:fabrikam/web:ref:refs/heads/main',
      job_workflow_ref: WORKFLOW,
    });
    assert.equal(result.matched, false);
    assert.deepEqual(
      result.clauses.map((clause) => clause.matched),
      [false, true],
    );
    assert.equal(result.clauses[0]?.actual, 'repo:fabrikam/web:ref:refs/heads/main');
  });

  test('eq is exact and case-sensitive; it treats * and ? literally', () => {
    assert.equal(evaluate("claims['sub'] eq 'a*'", { sub: 'a*' }).matched, true);
    assert.equal(evaluate("claims['sub'] eq 'a*'", { sub: 'ab' }).matched, false);
    assert.equal(evaluate("claims['sub'] eq 'Main'", { sub: 'main' }).matched, false);
  });

  test('claim names are case-sensitive', () => {
    const result = evaluate("claims['Sub'] eq 'x'", { sub: 'x' });
    assert.equal(result.matched, false);
    assert.equal(result.clauses[0]?.actual, null);
  });

  test('absent and non-string claims never match, arrays included', () => {
    for (const value of [undefined, null, 1, true, {}, ['repo:contoso/web'], [['x']]]) {
      const result = evaluate("claims['sub'] matches '*'", value === undefined ? {} : { sub: value });
      assert.equal(result.matched, false, JSON.stringify(value));
      assert.equal(result.clauses[0]?.actual, null);
    }
  });

  test('inherited properties are not claims', () => {
    assert.equal(evaluate("claims['constructor'] matches '*'", {}).matched, false);
    assert.equal(evaluate("claims['toString'] matches '*'", {}).matched, false);
  });

  test('an escaped quote in the expression compares as a single quote', () => {
    assert.equal(
      evaluate("claims['sub'] eq 'o''brien' and claims['sub'] eq 'o\\'brien'", { sub: "o'brien" }).matched,
      true,
    );
  });
});
