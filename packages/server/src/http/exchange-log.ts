/**
 * One structured log line per token exchange: failures at info (with the error code and the step that
 * refused), successes at debug. Identifiers only — never the assertion or the issued token.
 * @module
 */
import { CredlessError, type ExchangeOutcome } from '@credless/core';
import type { Logger } from 'pino';
import type { RequestIds } from './sts-errors.ts';

export function logExchange(logger: Logger, outcome: ExchangeOutcome, ids: RequestIds): void {
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
    if (logger.isLevelEnabled('debug')) logger.debug({ ...fields, result: 'issued' }, 'token issued');
    return;
  }
  const code = outcome.error instanceof CredlessError ? outcome.error.code : 'server_error';
  logger.info({ ...fields, result: 'refused', code, step: outcome.failedStep }, `token refused: ${code}`);
}
