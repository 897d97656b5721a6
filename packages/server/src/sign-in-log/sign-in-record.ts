/**
 * Turns an exchange outcome into a sign-in record: identifiers only, never the assertion or the
 * issued token. Values that come straight from the request are cut to a bounded length.
 * @module
 */
import { CredlessError, type ExchangeOutcome, type RequestIds, toStsError } from '@credless/core';
import { IssuerFetchError } from '../issuers/fetch-capped-json.ts';
import type { SignInLogRecord } from '../store/sign-in-logs.ts';

/** Longest value kept from the request (client id, resource, issuer, subject, audience). */
export const SIGN_IN_FIELD_MAX_LENGTH = 512;

const bounded = (value: string | undefined | null): string | null =>
  value === undefined || value === null ? null : value.slice(0, SIGN_IN_FIELD_MAX_LENGTH);

function assertionAudience(outcome: ExchangeOutcome): string | null {
  const { identity, assertion } = outcome.context;
  if (identity) return bounded(identity.audiences.join(' '));
  const aud = assertion?.payload['aud'];
  if (typeof aud === 'string') return bounded(aud);
  if (Array.isArray(aud)) return bounded(aud.filter((value) => typeof value === 'string').join(' '));
  return null;
}

/** Causes followed at most, looking for the detail (a cause chain can be made to loop). */
const MAX_CAUSE_DEPTH = 8;

/**
 * What the caller's generic reason hides and the operator needs: today the issuer fetch's own reason
 * (the refused address, the connection error code), carried as the error's cause.
 */
export function failureDetail(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    if (current instanceof IssuerFetchError) return bounded(current.reason);
    current = current.cause;
  }
  return null;
}

export interface SignInRecordOptions {
  id: string;
  createdAt: Date;
  latencyMs: number;
}

/** Undefined when the tenant was not found: there is no tenant to file the record under. */
export function signInRecordFromOutcome(
  outcome: ExchangeOutcome,
  ids: RequestIds,
  options: SignInRecordOptions,
): SignInLogRecord | undefined {
  const { context } = outcome;
  if (!context.tenant) return undefined;
  const sub = context.assertion?.payload['sub'];
  const failure = outcome.issued
    ? undefined
    : {
        code: outcome.error instanceof CredlessError ? outcome.error.code : 'server_error',
        aadsts: toStsError(outcome.error).spec.aadsts,
        detail: failureDetail(outcome.error),
      };
  return {
    id: options.id,
    tenantId: context.tenant.id,
    createdAt: options.createdAt,
    appId: bounded(context.request?.clientId ?? context.input.params.get('client_id')) ?? '',
    applicationId: context.client?.application.id ?? null,
    // A client secret has an id and perhaps a name, like a federated credential.
    credentialName: context.credential?.name ?? context.passwordCredential?.displayName ?? null,
    credentialId: context.credential?.id ?? context.passwordCredential?.keyId ?? null,
    issuer: bounded(context.identity?.issuer ?? context.assertion?.issuer),
    subject: bounded(context.identity?.subject ?? (typeof sub === 'string' ? sub : undefined)),
    audience: assertionAudience(outcome),
    resource: bounded(context.request?.resource),
    result: outcome.issued ? 'success' : 'failure',
    errorCode: failure?.code ?? null,
    aadsts: failure?.aadsts ?? null,
    failedStep: outcome.failedStep ?? null,
    clientRequestId: ids.correlationId,
    traceId: ids.traceId,
    latencyMs: options.latencyMs,
    ...(context.policyAudit ? { policyAudit: context.policyAudit } : {}),
    // The token's roles, so "issued, but without the role the resource wants" is visible in the log.
    ...(outcome.issued ? { roles: context.roles ?? [] } : {}),
    ...(failure?.detail ? { failureDetail: failure.detail } : {}),
  };
}
