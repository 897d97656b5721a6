import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError, type ExchangeOutcome } from '@credless/core';
import pino from 'pino';
import { logExchange } from '../../src/http/exchange-log.ts';
import { IssuerFetchError } from '../../src/issuers/fetch-capped-json.ts';

function logged(error: unknown): Record<string, unknown> {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const outcome: ExchangeOutcome = {
    context: { input: { tenant: 't', version: 'v2', params: new Map() } },
    failedStep: 'verifySignature',
    error,
  };
  logExchange(logger, outcome, { traceId: 'trace', correlationId: 'corr' });
  assert.equal(lines.length, 1);
  return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
}

describe('logExchange', () => {
  test('a failed issuer fetch logs the detail the caller did not get', () => {
    const detail = 'discovery: request failed (ECONNREFUSED)';
    const error = new CredlessError(
      'external_oidc_failed',
      { issuer: 'https://issuer.test', reason: 'generic' },
      { cause: new IssuerFetchError(detail) },
    );
    const line = logged(error);
    assert.equal(line['code'], 'external_oidc_failed');
    assert.equal(line['detail'], detail);
  });

  test('other failures carry no detail (causes may quote untrusted data)', () => {
    const error = new CredlessError('issuer_no_match', { issuer: 'x' }, { cause: new Error('peer said hi') });
    const line = logged(error);
    assert.equal(line['code'], 'issuer_no_match');
    assert.equal('detail' in line, false);
  });
});
