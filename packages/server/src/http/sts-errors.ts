/**
 * Entra-shaped error responses for the token and discovery endpoints. `stsErrorFor` is the one mapping
 * of this edge: a CredlessError with an STS code keeps it; an unreachable database (a storage error
 * that escaped the token path's cache) is `directory_unavailable` (503 temporarily_unavailable, worth
 * retrying); anything else becomes `server_error` (core's toStsError), and nothing about its cause
 * reaches the wire.
 * @module
 */
import { CredlessError, type RequestIds, toStsError } from '@credless/core';
import { isTransientStoreError } from '../store/sql-errors.ts';

/** The one mapping from a thrown error to the STS wire error. */
export function stsErrorFor(error: unknown): ReturnType<typeof toStsError> {
  if (!(error instanceof CredlessError) && isTransientStoreError(error)) {
    return toStsError(new CredlessError('directory_unavailable', {}, { cause: error }));
  }
  return toStsError(error);
}

export interface StsErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** `2016-01-09 02:02:12Z`, as Entra writes it. */
export function entraTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function stsErrorBody(
  error: unknown,
  ids: RequestIds,
  now: Date,
  baseUrl: string,
): { status: number; body: StsErrorBody; exposed: boolean } {
  const { spec, message, exposed } = stsErrorFor(error);
  const timestamp = entraTimestamp(now);
  return {
    status: spec.status,
    exposed,
    body: {
      error: spec.error,
      error_description: `AADSTS${spec.aadsts}: ${message} Trace ID: ${ids.traceId} Correlation ID: ${ids.correlationId} Timestamp: ${timestamp}`,
      error_codes: [spec.aadsts],
      timestamp,
      trace_id: ids.traceId,
      correlation_id: ids.correlationId,
      error_uri: `${baseUrl}/error?code=${spec.aadsts}`,
    },
  };
}
