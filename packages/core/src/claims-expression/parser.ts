/**
 * Parser for Entra's flexible federated identity credential language, version 1:
 *
 *   expression := clause ( 'and' clause )*
 *   clause     := 'claims' '[' string ']' ( 'matches' | 'eq' ) string
 *   string     := "'" characters "'"
 *
 * Keywords are case-insensitive; claim names and values are case-sensitive. Whitespace (spaces, tabs)
 * may separate tokens. Inside a string, a single quote is written doubled (`''`) or as `\'`, and a
 * backslash before a quote as `\\`; any other backslash is literal. `*` and `?` in a `matches` glob are
 * always wildcards (use `eq` for a literal comparison). Errors name the 1-based column and what was
 * expected there, and are thrown as `invalid_value` on the `claimsMatchingExpression` field.
 * @module
 */
import { CredlessError } from '../errors/index.ts';

export const CLAIMS_EXPRESSION_LANGUAGE_VERSION = 1;

export const CLAIMS_EXPRESSION_LIMITS = Object.freeze({
  /** Characters in the whole expression. */
  maxLength: 1024,
  /** Clauses joined by `and`. */
  maxClauses: 16,
  /** Characters in one comparand (glob or value). */
  maxValueLength: 512,
  /** Characters in one claim name. */
  maxClaimNameLength: 128,
});

/** Letters, digits and `_ - . :` only: every claim the supported issuers use, nothing that needs escaping. */
const CLAIM_NAME_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export type ClaimsOperator = 'matches' | 'eq';

export interface ClaimsClause {
  claim: string;
  op: ClaimsOperator;
  /** The glob (`matches`) or the exact value (`eq`). */
  expected: string;
  /** 1-based column where the clause starts. */
  position: number;
}

export interface ClaimsExpression {
  languageVersion: typeof CLAIMS_EXPRESSION_LANGUAGE_VERSION;
  clauses: ClaimsClause[];
}

const FIELD = 'claimsMatchingExpression';

const syntaxError = (index: number, message: string) =>
  new CredlessError('invalid_value', { field: FIELD, reason: `${message} at position ${index + 1}` });

const isSpace = (char: string | undefined) => char === ' ' || char === '\t';
const isLetter = (char: string | undefined) => char !== undefined && /^[A-Za-z]$/.test(char);

/** A cursor over the text; each read either consumes what it expects or throws naming the position. */
class Cursor {
  readonly text: string;
  index = 0;

  constructor(text: string) {
    this.text = text;
  }

  get atEnd(): boolean {
    return this.index >= this.text.length;
  }

  /** Skips whitespace; returns whether there was any. */
  skipSpace(): boolean {
    const start = this.index;
    while (isSpace(this.text[this.index])) this.index += 1;
    return this.index > start;
  }

  /** A run of letters, lowercased; empty when none. */
  word(): string {
    const start = this.index;
    while (isLetter(this.text[this.index])) this.index += 1;
    return this.text.slice(start, this.index).toLowerCase();
  }

  keyword(expected: string): void {
    const start = this.index;
    if (this.word() !== expected) throw syntaxError(start, `expected '${expected}'`);
  }

  punctuation(expected: string): void {
    if (this.text[this.index] !== expected) throw syntaxError(this.index, `expected '${expected}'`);
    this.index += 1;
  }

  /** A single-quoted string with `''`, `\'` and `\\` escapes. */
  string(what: string): string {
    const start = this.index;
    if (this.text[start] !== "'") throw syntaxError(start, `expected ${what} in single quotes`);
    this.index += 1;
    let value = '';
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) throw syntaxError(start, `unterminated string (expected a closing "'")`);
      const next = this.text[this.index + 1];
      if (char === "'" && next === "'") {
        value += "'";
        this.index += 2;
      } else if (char === "'") {
        this.index += 1;
        return value;
      } else if (char === '\\' && (next === "'" || next === '\\')) {
        value += next;
        this.index += 2;
      } else {
        value += char;
        this.index += 1;
      }
    }
  }
}

function parseClause(cursor: Cursor): ClaimsClause {
  const position = cursor.index + 1;
  cursor.keyword('claims');
  cursor.skipSpace();
  cursor.punctuation('[');
  cursor.skipSpace();
  const nameStart = cursor.index;
  const claim = cursor.string('a claim name');
  if (claim.length === 0) throw syntaxError(nameStart, 'expected a non-empty claim name');
  if (claim.length > CLAIMS_EXPRESSION_LIMITS.maxClaimNameLength) {
    throw syntaxError(
      nameStart,
      `expected a claim name of at most ${CLAIMS_EXPRESSION_LIMITS.maxClaimNameLength} characters`,
    );
  }
  if (!CLAIM_NAME_PATTERN.test(claim)) {
    throw syntaxError(nameStart, "expected a claim name of letters, digits, '_', '-', '.' or ':'");
  }
  cursor.skipSpace();
  cursor.punctuation(']');
  cursor.skipSpace();
  const opStart = cursor.index;
  const op = cursor.word();
  if (op !== 'matches' && op !== 'eq') throw syntaxError(opStart, "expected 'matches' or 'eq'");
  cursor.skipSpace();
  const valueStart = cursor.index;
  const expected = cursor.string(op === 'matches' ? 'a pattern' : 'a value');
  if (expected.length > CLAIMS_EXPRESSION_LIMITS.maxValueLength) {
    throw syntaxError(
      valueStart,
      `expected a comparand of at most ${CLAIMS_EXPRESSION_LIMITS.maxValueLength} characters`,
    );
  }
  return { claim, op, expected, position };
}

/** Parses and validates an expression; throws `invalid_value` naming the position on any error. */
export function parseClaimsExpression(text: string): ClaimsExpression {
  if (typeof text !== 'string') {
    throw new CredlessError('invalid_value', { field: FIELD, reason: 'must be a string' });
  }
  if (text.length > CLAIMS_EXPRESSION_LIMITS.maxLength) {
    throw syntaxError(
      CLAIMS_EXPRESSION_LIMITS.maxLength,
      `expected the expression to end (at most ${CLAIMS_EXPRESSION_LIMITS.maxLength} characters)`,
    );
  }
  const cursor = new Cursor(text);
  cursor.skipSpace();
  if (cursor.atEnd) throw syntaxError(cursor.index, "expected a clause such as claims['sub'] eq '…'");
  const clauses: ClaimsClause[] = [];
  for (;;) {
    if (clauses.length === CLAIMS_EXPRESSION_LIMITS.maxClauses) {
      throw syntaxError(cursor.index, `expected at most ${CLAIMS_EXPRESSION_LIMITS.maxClauses} clauses`);
    }
    clauses.push(parseClause(cursor));
    cursor.skipSpace();
    if (cursor.atEnd) break;
    const andStart = cursor.index;
    if (cursor.word() !== 'and') throw syntaxError(andStart, "expected 'and' or the end of the expression");
    cursor.skipSpace();
  }
  return { languageVersion: CLAIMS_EXPRESSION_LANGUAGE_VERSION, clauses };
}
