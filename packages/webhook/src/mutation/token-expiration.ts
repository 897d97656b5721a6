/**
 * Rule: the projected token's lifetime. The pod annotation wins over the ServiceAccount's; absent means
 * 3600 s, and an empty (or blank) annotation counts as absent, as in azure-workload-identity; anything
 * else that is not a whole number within 3600..86400 is refused with azure-workload-identity's message,
 * naming where the bad value came from.
 * @module
 */
import { CredlessError } from '@credless/core';
import {
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  MAX_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  TOKEN_EXPIRATION_ANNOTATION,
} from './constants.ts';

/** Present and not blank: azure-workload-identity reads `""` as no annotation at all. */
const isSet = (annotations: Readonly<Record<string, unknown>>) => {
  if (!Object.hasOwn(annotations, TOKEN_EXPIRATION_ANNOTATION)) return false;
  const value = annotations[TOKEN_EXPIRATION_ANNOTATION];
  return typeof value !== 'string' || value.trim() !== '';
};

export function tokenExpirationSeconds(
  podAnnotations: Readonly<Record<string, unknown>>,
  serviceAccountAnnotations: Readonly<Record<string, string>>,
  where: { pod: string; serviceAccount: string },
): number {
  let raw: unknown;
  let source: string;
  if (isSet(podAnnotations)) {
    raw = podAnnotations[TOKEN_EXPIRATION_ANNOTATION];
    source = `pod ${where.pod}`;
  } else if (isSet(serviceAccountAnnotations)) {
    raw = serviceAccountAnnotations[TOKEN_EXPIRATION_ANNOTATION];
    source = `ServiceAccount ${where.serviceAccount}`;
  } else {
    return DEFAULT_TOKEN_EXPIRATION_SECONDS;
  }
  const text = typeof raw === 'string' ? raw.trim() : '';
  const value = /^[+-]?\d{1,12}$/.test(text) ? Number(text) : Number.NaN;
  if (
    !Number.isSafeInteger(value) ||
    value < MIN_TOKEN_EXPIRATION_SECONDS ||
    value > MAX_TOKEN_EXPIRATION_SECONDS
  )
    throw new CredlessError('webhook_token_expiration_invalid', {
      // Plain numbers read as azure-workload-identity prints them; anything else is quoted.
      value: /^[+-]?\d{1,12}$/.test(text)
        ? text
        : JSON.stringify(typeof raw === 'string' ? raw.slice(0, 40) : (raw ?? null)),
      source,
    });
  return value;
}
