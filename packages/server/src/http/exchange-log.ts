/**
 * One structured log line per token exchange: failures at info (with the error code and the step that
 * refused), successes at debug. Identifiers only — never the assertion or the issued token.
 * @module
 */
import { CredlessError, type ExchangeOutcome, type RequestIds } from '@credless/core';
import type { Logger } from 'pino';
import { IssuerFetchError } from '../issuers/fetch-capped-json.ts';

export function logExchange(logger: Logger, outcome: ExchangeOutcome, ids: RequestIds): void {
  // Most exchanges succeed and debug is off: then there is nothing to build.
  if (outcome.issued && !logger.isLevelEnabled('debug')) return;
  const { context } = outcome;
  const fields = {
    event: 'token_exchange',
    traceId: ids.traceId,
    correlationId: ids.correlationId,
    tenant: context.tenant?.id ?? context.input.tenant,
    clientId: context.request?.clientId,
    resource: context.request?.resource,
    issuer: context.assertion?.issuer,
    subject: context.identity?.subject,
    credential: context.credential?.name,
  };
  if (outcome.issued) {
    logger.debug({ ...fields, result: 'issued' }, 'token issued');
    return;
  }
  const code = outcome.error instanceof CredlessError ? outcome.error.code : 'server_error';
  // The caller got a generic text for a failed issuer fetch; the operator gets why (refused address, …).
  const cause = outcome.error instanceof Error ? outcome.error.cause : undefined;
  const detail = cause instanceof IssuerFetchError ? { detail: cause.reason } : {};
  logger.info(
    { ...fields, result: 'refused', code, step: outcome.failedStep, ...detail },
    `token refused: ${code}`,
  );
}
