/**
 * One credential against one token, field by field: issuer, subject (or the expression's clauses)
 * and audience, each with a status, the two values and a one-line summary. Matching follows
 * matchFederatedCredential exactly (code-point equality, audience among the token's audiences); the
 * extra classes only explain a miss, they never widen a match.
 * @module
 */
import { evaluateClaimsExpression, matchesGlob, parseClaimsExpression } from '../claims-expression/index.ts';
import type { ClaimsOperator } from '../claims-expression/parser.ts';
import type { FederatedIdentityCredential } from '../directory/types.ts';
import { DEFAULT_FEDERATION_AUDIENCE } from '../directory/well-known.ts';
import { CredlessError } from '../errors/index.ts';
import {
  claimHolding,
  compareValues,
  describeComparison,
  prefixSimilarity,
  shown,
  type ValueComparison,
} from './compare.ts';

export type FieldStatus =
  | ValueComparison
  | 'absent'
  | 'wrong_place'
  | 'expression'
  | 'pass'
  | 'fail'
  | 'not_string'
  | 'invalid';

export interface FieldDiff {
  field: 'issuer' | 'subject' | 'audience' | 'expression' | 'clause';
  status: FieldStatus;
  /** True when this field does not stop the credential from matching. */
  ok: boolean;
  /** The credential's value (the clause's pattern or value); null when it has none. */
  expected: string | null;
  /** The token's value; null when the claim is absent or not a string. */
  actual: string | null;
  /** For 'wrong_place': the token claim that holds the credential's value. */
  foundIn?: string;
  /** For clauses: position in the expression (0-based), claim name and operator. */
  index?: number;
  claim?: string;
  op?: ClaimsOperator;
  /** For failed clauses: how the value relates to an `eq` value or (ignoring case) a pattern. */
  comparison?: ValueComparison;
  summary: string;
}

export interface CredentialDiff {
  id: string;
  name: string;
  kind: 'subject' | 'expression';
  matches: boolean;
  /** Closeness in [0, 100]: how the nearest misses are ranked (100 = matches). */
  score: number;
  fields: FieldDiff[];
  /** The failing fields' summaries joined, or 'matches'. */
  summary: string;
}

/** What the diff needs to know about the token and its surroundings. */
export interface TokenFacts {
  payload: Readonly<Record<string, unknown>>;
  issuer: string | null;
  subject: string | null;
  audiences: readonly string[];
  /** The application's client id (an audience equal to it is a known mistake). */
  clientId?: string | undefined;
  /** This credless's public base URL (an audience under it is a known mistake). */
  baseUrl?: string | undefined;
}

/** Audiences of one token examined for near misses (a hostile token may carry thousands). */
const MAX_AUDIENCES_EXAMINED = 64;

const NEAR: ReadonlySet<FieldStatus> = new Set(['case_only', 'trailing_slash', 'whitespace']);

/** Score per field: full when it fits, less when it is a near miss or a misplaced value. */
function fieldScore(status: FieldStatus, weight: number, similarity = 0): number {
  if (status === 'equal' || status === 'pass') return weight;
  if (NEAR.has(status)) return weight * 0.7;
  if (status === 'wrong_place') return weight * 0.3;
  return weight * 0.5 * similarity;
}

function compareField(
  field: 'issuer' | 'subject',
  claim: 'iss' | 'sub',
  expected: string,
  actual: string | null,
  facts: TokenFacts,
): FieldDiff {
  if (actual === null) {
    return {
      field,
      status: 'absent',
      ok: false,
      expected: shown(expected),
      actual: null,
      summary: `the token has no string '${claim}' claim (credential expects '${shown(expected)}')`,
    };
  }
  const comparison = compareValues(expected, actual);
  const diff: FieldDiff = {
    field,
    status: comparison,
    ok: comparison === 'equal',
    expected: shown(expected),
    actual: shown(actual),
    summary: describeComparison(field, comparison, expected, actual),
  };
  if (comparison === 'different') {
    const foundIn = claimHolding(facts.payload, expected, [claim]);
    if (foundIn !== undefined) {
      diff.status = 'wrong_place';
      diff.foundIn = foundIn;
      diff.summary = `the credential's ${field} '${shown(expected)}' is in the token's '${foundIn}' claim, not in '${claim}' (which holds '${shown(actual)}')`;
    }
  }
  return diff;
}

function compareAudience(expected: string, facts: TokenFacts): FieldDiff {
  const { audiences } = facts;
  // Exact membership over all of them (as the exchange does); near misses over a bounded few.
  const nearCandidates = audiences.slice(0, MAX_AUDIENCES_EXAMINED);
  const base = { field: 'audience' as const, expected: shown(expected) };
  const joined = nearCandidates.join(', ');
  if (audiences.includes(expected)) {
    return { ...base, status: 'equal', ok: true, actual: shown(expected), summary: 'audience matches' };
  }
  if (audiences.length === 0) {
    return {
      ...base,
      status: 'absent',
      ok: false,
      actual: null,
      summary: `the token has no usable 'aud' claim (credential expects '${shown(expected)}')`,
    };
  }
  for (const audience of nearCandidates) {
    const comparison = compareValues(expected, audience);
    if (comparison !== 'different') {
      return {
        ...base,
        status: comparison,
        ok: false,
        actual: shown(audience),
        summary: describeComparison('audience', comparison, expected, audience),
      };
    }
  }
  const actual = shown(joined);
  const misplaced = (foundIn: string, summary: string): FieldDiff => ({
    ...base,
    status: 'wrong_place',
    ok: false,
    actual,
    foundIn,
    summary,
  });
  const foundIn = claimHolding(facts.payload, expected, ['aud']);
  if (foundIn !== undefined) {
    return misplaced(
      foundIn,
      `the credential's audience '${shown(expected)}' is in the token's '${foundIn}' claim, not in 'aud' (which holds '${actual}')`,
    );
  }
  const request = `request the token with audience '${shown(expected)}'`;
  const clientId = facts.clientId?.toLowerCase();
  if (clientId && nearCandidates.some((audience) => audience.toLowerCase() === clientId)) {
    return misplaced(
      'aud',
      `the token's audience is the application's client id (which belongs in client_id): ${request}`,
    );
  }
  const baseUrl = facts.baseUrl?.replace(/\/+$/, '').toLowerCase();
  if (baseUrl && nearCandidates.some((audience) => audience.toLowerCase().startsWith(baseUrl))) {
    return misplaced(
      'aud',
      `the token's audience is this token service ('${actual}'), not the federation audience: ${request}`,
    );
  }
  const hint =
    expected === DEFAULT_FEDERATION_AUDIENCE ? ` (the usual federation audience is '${expected}')` : '';
  return {
    ...base,
    status: 'different',
    ok: false,
    actual,
    summary: `audience differs (credential has '${shown(expected)}', token has '${actual}')${hint}`,
  };
}

function clauseDiffs(expression: string, payload: Readonly<Record<string, unknown>>): FieldDiff[] {
  let parsed: ReturnType<typeof parseClaimsExpression>;
  try {
    parsed = parseClaimsExpression(expression);
  } catch (error) {
    const reason = error instanceof CredlessError ? error.message : 'it does not parse';
    return [
      {
        field: 'expression',
        status: 'invalid',
        ok: false,
        expected: shown(expression),
        actual: null,
        summary: `the stored expression no longer parses and matches nothing: ${shown(reason)}`,
      },
    ];
  }
  return evaluateClaimsExpression(parsed, payload).clauses.map((clause, index): FieldDiff => {
    const head = `claims['${clause.claim}'] ${clause.op} '${shown(clause.expected)}'`;
    const base = {
      field: 'clause' as const,
      index,
      claim: clause.claim,
      op: clause.op,
      expected: shown(clause.expected),
      actual: clause.actual === null ? null : shown(clause.actual),
      ok: clause.matched,
    };
    if (clause.matched) return { ...base, status: 'pass', summary: `${head}: passes` };
    if (clause.actual === null) {
      const present = Object.hasOwn(payload, clause.claim);
      return {
        ...base,
        status: present ? 'not_string' : 'absent',
        summary: `${head}: fails, the claim is ${present ? 'not a string' : 'absent from the token'}`,
      };
    }
    const comparison =
      clause.op === 'eq'
        ? compareValues(clause.expected, clause.actual)
        : matchesGlob(clause.actual.toLowerCase(), clause.expected.toLowerCase())
          ? 'case_only'
          : 'different';
    const why =
      comparison === 'case_only'
        ? ' (it would match ignoring letter case; values compare case-sensitively)'
        : comparison === 'trailing_slash'
          ? ' (differs only by a trailing slash)'
          : comparison === 'whitespace'
            ? ' (differs only by leading or trailing whitespace)'
            : '';
    return {
      ...base,
      status: 'fail',
      comparison,
      summary: `${head}: fails, the token has '${shown(clause.actual)}'${why}`,
    };
  });
}

export function diffCredential(credential: FederatedIdentityCredential, facts: TokenFacts): CredentialDiff {
  const issuer = compareField('issuer', 'iss', credential.issuer, facts.issuer, facts);
  const expression = credential.claimsMatchingExpression?.value;
  const audience = compareAudience(credential.audiences[0], facts);
  const fields: FieldDiff[] = [issuer];
  let subjectScore: number;
  let subjectOk: boolean;
  if (credential.subject === null) {
    const clauses = expression === undefined ? [] : clauseDiffs(expression, facts.payload);
    subjectOk = clauses.length > 0 && clauses.every((clause) => clause.ok);
    fields.push({
      field: 'subject',
      status: 'expression',
      ok: subjectOk,
      expected: null,
      actual: facts.subject === null ? null : shown(facts.subject),
      summary: `the credential uses a claims expression instead of a subject: ${
        subjectOk ? 'every clause passes' : 'not every clause passes'
      }`,
    });
    fields.push(...clauses);
    const weights = clauses.map((clause) =>
      fieldScore(clause.status === 'fail' ? (clause.comparison ?? 'fail') : clause.status, 1),
    );
    subjectScore = clauses.length === 0 ? 0 : (40 * weights.reduce((a, b) => a + b, 0)) / clauses.length;
  } else {
    const subject = compareField('subject', 'sub', credential.subject, facts.subject, facts);
    fields.push(subject);
    subjectOk = subject.ok;
    subjectScore = fieldScore(
      subject.status,
      40,
      facts.subject === null ? 0 : prefixSimilarity(credential.subject, facts.subject),
    );
  }
  fields.push(audience);
  const matches = issuer.ok && subjectOk && audience.ok;
  const score = matches
    ? 100
    : Math.round(
        fieldScore(
          issuer.status,
          40,
          facts.issuer === null ? 0 : prefixSimilarity(credential.issuer, facts.issuer),
        ) +
          subjectScore +
          fieldScore(audience.status, 20),
      );
  const failing = fields.filter((field) => !field.ok && field.status !== 'expression');
  return {
    id: credential.id,
    name: credential.name,
    kind: credential.subject === null ? 'expression' : 'subject',
    matches,
    score: Math.min(score, matches ? 100 : 99),
    fields,
    summary: matches ? 'matches' : failing.map((field) => field.summary).join('; '),
  };
}
