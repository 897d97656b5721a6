/**
 * Which form field an API error is about, read from the error catalogue's messages
 * (packages/core/src/errors/directory-errors.ts), so the console shows the API's own words next to the
 * field that caused them. Pure: the browser tests and the unit test share it.
 * @module
 */

/** Graph's error body, `{"error":{"code","message"}}`. */
export interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

const RULES: Array<{ pattern: RegExp; field: (match: RegExpExecArray) => string }> = [
  // invalid_value: "Invalid value for 'name': …"
  { pattern: /^Invalid value for '([^']+)'/, field: (match) => match[1] as string },
  // duplicate_value: "FederatedIdentityCredential with name x already exists."
  { pattern: /^\S+ with (\w+) .* already exists\.$/, field: (match) => match[1] as string },
  // fic_duplicate_issuer_subject / _expression: the pair exists already; the subject (or expression) is the one to change.
  { pattern: /with issuer '.*' and subject '.*' already exists/, field: () => 'subject' },
  {
    pattern: /with issuer '.*' and claimsMatchingExpression '.*' already exists/,
    field: () => 'claimsMatchingExpression',
  },
  // Graph's unknown-property refusal: "Property 'x' does not exist on type …"
  { pattern: /^Property '([^']+)' does not exist/, field: (match) => match[1] as string },
  // explain's body checks: "'token' must be a non-empty string (a JWT)"
  { pattern: /^'(\w+)' must be /, field: (match) => match[1] as string },
];

/** The field an error message names (its top-level property: `api.x` → `api`), or undefined. */
export function fieldOfError(message: string): string | undefined {
  for (const rule of RULES) {
    const match = rule.pattern.exec(message);
    if (match) return rule.field(match).split(/[./[]/)[0];
  }
  return undefined;
}
