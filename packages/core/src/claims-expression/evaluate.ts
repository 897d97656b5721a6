/**
 * Evaluating a parsed expression against the claims of a verified assertion. Every clause is evaluated
 * (at most 16, each linear-bounded) so that an explanation can show which ones failed.
 *
 * Only string claims are compared: a missing claim, a number, a boolean, an object or an ARRAY never
 * matches, not even when one of its elements would. The claims Entra allows here (sub,
 * job_workflow_ref, …) are strings, and "any element" semantics would quietly widen a credential.
 * @module
 */
import { matchesGlob } from './glob.ts';
import type { ClaimsExpression, ClaimsOperator } from './parser.ts';

export interface ClaimsClauseResult {
  claim: string;
  op: ClaimsOperator;
  expected: string;
  /** The claim's value when it is a string; null when it is absent or not a string. */
  actual: string | null;
  matched: boolean;
}

export interface ClaimsExpressionResult {
  /** True when every clause matched. */
  matched: boolean;
  clauses: ClaimsClauseResult[];
}

export function evaluateClaimsExpression(
  expression: ClaimsExpression,
  claims: Readonly<Record<string, unknown>>,
): ClaimsExpressionResult {
  const clauses = expression.clauses.map(({ claim, op, expected }): ClaimsClauseResult => {
    // Own properties only: a claim named 'constructor' must not find Object.prototype's.
    const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
    const actual = typeof value === 'string' ? value : null;
    const matched = actual !== null && (op === 'eq' ? actual === expected : matchesGlob(actual, expected));
    return { claim, op, expected, actual, matched };
  });
  return { matched: clauses.every((clause) => clause.matched), clauses };
}
