/**
 * Graph's rules for federated identity credentials, as pure functions: validate a create request and
 * return the normalized credential fields, or throw `invalid_value` naming the field.
 * @module
 */
import { CLAIMS_EXPRESSION_LANGUAGE_VERSION, parseClaimsExpression } from '../claims-expression/index.ts';
import { CredlessError } from '../errors/index.ts';
import type { ClaimsMatchingExpression, FederatedIdentityCredentialInput } from './types.ts';
import { DEFAULT_FEDERATION_AUDIENCE } from './well-known.ts';

export const FIC_FIELD_MAX_LENGTH = 600;
export const DEFAULT_FIC_LIMIT_PER_APP = 20;

/** 3–120 characters, letters, digits, '-' and '_', starting with a letter or digit. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

export interface NormalizedFederatedIdentityCredential {
  name: string;
  issuer: string;
  subject: string | null;
  claimsMatchingExpression: ClaimsMatchingExpression | null;
  audiences: [string];
  description: string | null;
}

const invalid = (field: string, reason: string) => new CredlessError('invalid_value', { field, reason });

function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string')
    throw invalid(field, value === undefined ? 'is required' : 'must be a string');
  return value;
}

function checkLength(field: string, value: string): void {
  if (value.length === 0) throw invalid(field, 'must not be empty');
  if (value.length > FIC_FIELD_MAX_LENGTH)
    throw invalid(field, `must be at most ${FIC_FIELD_MAX_LENGTH} characters`);
}

export function validateFicName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw invalid(
      'name',
      `'${name.slice(0, 130)}' must be 3-120 characters of letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
}

export function validateIssuerUrl(issuer: string): void {
  checkLength('issuer', issuer);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw invalid('issuer', `'${issuer}' is not a valid URL`);
  }
  if (url.protocol !== 'https:') throw invalid('issuer', `'${issuer}' must use https`);
  if (url.username || url.password) throw invalid('issuer', 'must not contain credentials');
  if (url.search || url.hash) throw invalid('issuer', 'must not contain a query or fragment');
}

/** Graph's `{ value, languageVersion: 1 }`; the value is parsed so that errors surface at creation. */
function readClaimsMatchingExpression(raw: unknown): ClaimsMatchingExpression {
  const field = 'claimsMatchingExpression';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(field, "must be an object with 'value' and 'languageVersion'");
  }
  const { value, languageVersion } = raw as Record<string, unknown>;
  if (languageVersion !== CLAIMS_EXPRESSION_LANGUAGE_VERSION) {
    throw invalid(`${field}.languageVersion`, `must be ${CLAIMS_EXPRESSION_LANGUAGE_VERSION}`);
  }
  if (typeof value !== 'string') {
    throw invalid(`${field}.value`, value === undefined ? 'is required' : 'must be a string');
  }
  parseClaimsExpression(value);
  return { value, languageVersion: CLAIMS_EXPRESSION_LANGUAGE_VERSION };
}

/** Exactly one of `subject` and `claimsMatchingExpression` (null counts as absent, as in Graph). */
function readMatchTarget(record: Record<string, unknown>): {
  subject: string | null;
  claimsMatchingExpression: ClaimsMatchingExpression | null;
} {
  const hasSubject = record['subject'] !== undefined && record['subject'] !== null;
  const rawExpression = record['claimsMatchingExpression'];
  const hasExpression = rawExpression !== undefined && rawExpression !== null;
  if (hasSubject && hasExpression) {
    throw invalid(
      'claimsMatchingExpression',
      "must not be set together with 'subject': a credential matches either an exact subject or an expression",
    );
  }
  if (hasExpression) {
    return { subject: null, claimsMatchingExpression: readClaimsMatchingExpression(rawExpression) };
  }
  if (!hasSubject) throw invalid('subject', 'is required (or set claimsMatchingExpression instead)');
  const subject = requireString(record, 'subject');
  checkLength('subject', subject);
  return { subject, claimsMatchingExpression: null };
}

/** Validates a create request; values are kept exactly as given (matching is case-sensitive). */
export function normalizeFederatedIdentityCredential(
  input: FederatedIdentityCredentialInput | Record<string, unknown>,
): NormalizedFederatedIdentityCredential {
  const record = input as Record<string, unknown>;
  const name = requireString(record, 'name');
  validateFicName(name);
  const issuer = requireString(record, 'issuer');
  validateIssuerUrl(issuer);
  const { subject, claimsMatchingExpression } = readMatchTarget(record);

  const rawAudiences = record['audiences'] ?? [DEFAULT_FEDERATION_AUDIENCE];
  if (!Array.isArray(rawAudiences)) throw invalid('audiences', 'must be an array');
  if (rawAudiences.length !== 1) throw invalid('audiences', 'must contain exactly one value');
  const audience = rawAudiences[0];
  if (typeof audience !== 'string') throw invalid('audiences', 'values must be strings');
  checkLength('audiences', audience);

  const rawDescription = record['description'];
  let description: string | null = null;
  if (rawDescription !== undefined && rawDescription !== null) {
    if (typeof rawDescription !== 'string') throw invalid('description', 'must be a string');
    if (rawDescription.length > FIC_FIELD_MAX_LENGTH) {
      throw invalid('description', `must be at most ${FIC_FIELD_MAX_LENGTH} characters`);
    }
    description = rawDescription;
  }
  return { name, issuer, subject, claimsMatchingExpression, audiences: [audience], description };
}
