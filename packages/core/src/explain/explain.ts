/**
 * Explaining a token against an application's federated identity credentials: which credential
 * matches, or why none does — the nearest misses ranked, each with a field-by-field diff — plus the
 * token's time window. Pure and bounded: at most MAX_EXPLAINED_CREDENTIALS credentials are compared,
 * and every value shown is cut to a bounded length. The payload may be unverified; the explanation
 * never decides whether a token is accepted, the exchange does.
 * @module
 */
import type { FederatedIdentityCredential } from '../directory/types.ts';
import { shown } from './compare.ts';
import { type CredentialDiff, diffCredential, type TokenFacts } from './credential-diff.ts';
import { explainTimes, type TimeExplanation } from './time.ts';

/** Credentials compared at most; the rest are not looked at and the explanation says so. */
export const MAX_EXPLAINED_CREDENTIALS = 200;
/** Nearest misses kept by default. */
export const DEFAULT_NEAREST_MISSES = 3;
const MAX_AUDIENCES_SHOWN = 10;

export interface ExplainInput {
  /** The token's decoded payload (verified or not). */
  payload: Readonly<Record<string, unknown>>;
  nowSeconds: number;
  clockSkewSeconds: number;
  /** The application's credentials (or a bounded selection of them). */
  credentials: readonly FederatedIdentityCredential[];
  /** True when the caller could not give every credential of the application. */
  credentialsTruncated?: boolean;
  /** The application's client id, to recognise a token whose audience is the client id. */
  clientId?: string;
  /** This credless's public base URL, to recognise a token whose audience is the token service. */
  baseUrl?: string;
  /** How many nearest misses to report (default 3). */
  maxNearestMisses?: number;
}

export interface ExplainedToken {
  issuer: string | null;
  subject: string | null;
  audiences: string[];
  /** Problems with the token's own claims (missing iss/sub/aud, wrong types). */
  problems: string[];
}

export interface Explanation {
  /** 'match' when a credential matches and the token is inside its validity window. */
  verdict: 'match' | 'no_match';
  summary: string;
  /** The credential the exchange would use, when one matches on issuer, subject and audience. */
  matchedCredential: { id: string; name: string } | null;
  token: ExplainedToken;
  time: TimeExplanation;
  /** Ranked closest first; empty when a credential matches. */
  nearestMisses: CredentialDiff[];
  credentialsCompared: number;
  /** True when not every credential of the application was compared. */
  truncated: boolean;
}

/** The token's identity claims in full (the diff compares full values; only the output is cut). */
function readTokenFacts(payload: Readonly<Record<string, unknown>>): ExplainedToken {
  const problems: string[] = [];
  const iss = payload['iss'];
  const sub = payload['sub'];
  const aud = payload['aud'];
  const issuer = typeof iss === 'string' && iss.length > 0 ? iss : null;
  const subject = typeof sub === 'string' && sub.length > 0 ? sub : null;
  if (issuer === null) problems.push("the 'iss' claim is missing or not a non-empty string");
  if (subject === null) problems.push("the 'sub' claim is missing or not a non-empty string");
  const raw = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const all = raw.filter((entry): entry is string => typeof entry === 'string' && entry.length > 0);
  if (all.length === 0 || all.length !== raw.length) {
    problems.push("the 'aud' claim must be a string or a non-empty array of strings");
  }
  return { issuer, subject, audiences: all, problems };
}

/** The one the exchange would pick: an exact-subject credential first, then an expression one. */
function pickMatch(diffs: readonly CredentialDiff[]): CredentialDiff | undefined {
  return (
    diffs.find((diff) => diff.matches && diff.kind === 'subject') ??
    diffs.find((diff) => diff.matches && diff.kind === 'expression')
  );
}

function summarize(
  matched: CredentialDiff | undefined,
  nearest: readonly CredentialDiff[],
  compared: number,
  time: TimeExplanation,
  problems: readonly string[],
): string {
  const notes = [...(time.status === 'valid' ? [] : [time.summary]), ...problems];
  if (matched) {
    const name = `credential '${shown(matched.name)}' matches`;
    return notes.length === 0 ? name : `${name}, but ${notes.join('; ')}`;
  }
  const parts = ['no credential matches'];
  if (compared === 0)
    parts[0] = 'no credential matches: the application has no federated identity credentials';
  const [first] = nearest;
  if (first) parts.push(`nearest is '${shown(first.name)}': ${first.summary}`);
  return [...parts, ...notes].join('; ');
}

export function explainToken(input: ExplainInput): Explanation {
  const token = readTokenFacts(input.payload);
  const facts: TokenFacts = {
    payload: input.payload,
    issuer: token.issuer,
    subject: token.subject,
    audiences: token.audiences,
    clientId: input.clientId,
    baseUrl: input.baseUrl,
  };
  const compared = input.credentials.slice(0, MAX_EXPLAINED_CREDENTIALS);
  const truncated = input.credentialsTruncated === true || input.credentials.length > compared.length;
  const diffs = compared.map((credential) => diffCredential(credential, facts));
  const matched = pickMatch(diffs);
  const time = explainTimes(input.payload, input.nowSeconds, input.clockSkewSeconds);
  const nearestMisses = matched
    ? []
    : // Stable: equal scores keep the credentials' order.
      [...diffs]
        .sort((a, b) => b.score - a.score)
        .slice(0, Math.max(0, input.maxNearestMisses ?? DEFAULT_NEAREST_MISSES));
  const ok = matched !== undefined && time.status === 'valid' && token.problems.length === 0;
  return {
    verdict: ok ? 'match' : 'no_match',
    summary: summarize(matched, nearestMisses, compared.length, time, token.problems),
    matchedCredential: matched ? { id: matched.id, name: shown(matched.name) } : null,
    token: {
      issuer: token.issuer === null ? null : shown(token.issuer),
      subject: token.subject === null ? null : shown(token.subject),
      audiences: token.audiences.slice(0, MAX_AUDIENCES_SHOWN).map((entry) => shown(entry)),
      problems: token.problems,
    },
    time,
    nearestMisses,
    credentialsCompared: compared.length,
    truncated,
  };
}
