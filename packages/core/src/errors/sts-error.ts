/**
 * How an error reaches an STS client (and the sign-in log): its catalogue entry when it is a CredlessError
 * with an STS code, `server_error` for anything else, whose message is then withheld.
 * @module
 */
import { ERROR_CATALOGUE, type StsErrorSpec } from './catalogue.ts';
import { CredlessError } from './credless-error.ts';

/** The ids of one STS request, as Entra returns them in errors and keeps them in sign-in logs. */
export interface RequestIds {
  /** Ours, new for every request. */
  traceId: string;
  /** The client's `client-request-id`, or ours when it sent none. */
  correlationId: string;
}

export function toStsError(error: unknown): { spec: StsErrorSpec; message: string; exposed: boolean } {
  if (error instanceof CredlessError) {
    const spec = ERROR_CATALOGUE[error.code];
    if (spec.kind === 'sts') return { spec, message: error.message, exposed: true };
  }
  const spec = ERROR_CATALOGUE.server_error;
  return { spec, message: spec.message({}), exposed: false };
}
