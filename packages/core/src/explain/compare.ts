/**
 * Comparing one configured value with one presented value and naming the kind of difference: the
 * mistakes people actually make (case, a trailing slash, stray whitespace) get their own class so the
 * explanation can say exactly what to fix. Every function here is linear in its inputs.
 * @module
 */

/** How a presented value relates to the configured one. */
export type ValueComparison = 'equal' | 'case_only' | 'trailing_slash' | 'whitespace' | 'different';

/** Longest value shown in an explanation; longer ones are cut and end with '…'. */
export const EXPLANATION_STRING_MAX_LENGTH = 256;

/** Cuts a value for display; counts code units, which is enough for a bound. */
export function shown(value: string, max = EXPLANATION_STRING_MAX_LENGTH): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

const withoutTrailingSlashes = (value: string) => value.replace(/\/+$/, '');

export function compareValues(expected: string, actual: string): ValueComparison {
  if (expected === actual) return 'equal';
  if (expected.toLowerCase() === actual.toLowerCase()) return 'case_only';
  const a = withoutTrailingSlashes(expected);
  const b = withoutTrailingSlashes(actual);
  if (a === b || a.toLowerCase() === b.toLowerCase()) return 'trailing_slash';
  if (expected.trim() === actual.trim()) return 'whitespace';
  return 'different';
}

/** Closeness in [0, 1] used only to rank different values: the shared prefix over the longer length. */
export function prefixSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  const limit = Math.min(a.length, b.length);
  let shared = 0;
  while (shared < limit && a.charCodeAt(shared) === b.charCodeAt(shared)) shared += 1;
  return shared / longest;
}

/** Claims looked at when searching a token for a value that sits in the wrong claim. */
const MAX_CLAIMS_SEARCHED = 64;

/**
 * The first top-level claim (other than `exclude`) whose string value, or one of whose array entries,
 * equals `value` exactly. Bounded: at most 64 claims and 64 entries per array are looked at.
 */
export function claimHolding(
  payload: Readonly<Record<string, unknown>>,
  value: string,
  exclude: readonly string[],
): string | undefined {
  let looked = 0;
  for (const [claim, content] of Object.entries(payload)) {
    if (looked++ >= MAX_CLAIMS_SEARCHED) return undefined;
    if (exclude.includes(claim)) continue;
    if (content === value) return claim;
    if (Array.isArray(content) && content.slice(0, MAX_CLAIMS_SEARCHED).includes(value)) return claim;
  }
  return undefined;
}

/** A one-line description of how `actual` differs from `expected`, for the given field. */
export function describeComparison(
  field: string,
  comparison: ValueComparison,
  expected: string,
  actual: string,
): string {
  const pair = `credential has '${shown(expected)}', token has '${shown(actual)}'`;
  switch (comparison) {
    case 'equal':
      return `${field} matches`;
    case 'case_only':
      return `${field} differs only in letter case, and values compare case-sensitively (${pair})`;
    case 'trailing_slash': {
      const where = expected.endsWith('/') ? 'the credential' : 'the token';
      return `${field} differs only by a trailing slash, present in ${where} (${pair})`;
    }
    case 'whitespace':
      return `${field} differs only by leading or trailing whitespace (${pair})`;
    case 'different':
      return `${field} differs (${pair})`;
  }
}
