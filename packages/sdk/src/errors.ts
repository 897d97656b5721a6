/**
 * The SDK's one error model: every failure is a `CredlessSdkError` with a stable `code`; a refusal by
 * the token service is the subclass `TokenServiceError`, which carries the STS's OAuth error, its
 * AADSTS code and `error_description`. Developer misuse (bad argument types) throws `TypeError`.
 * @module
 */

/** Stable codes: match on these, never on messages. */
export type CredlessSdkErrorCode =
  /** tenantId, clientId or the token file path is neither passed nor in the environment. */
  | 'ERR_CREDENTIAL_UNAVAILABLE'
  /** The federated token file cannot be read, or is empty. */
  | 'ERR_TOKEN_FILE'
  /** The token service answered with an OAuth error (see TokenServiceError). */
  | 'ERR_STS_REJECTED'
  /** The token service answered, but not with a token response or an OAuth error. */
  | 'ERR_STS_RESPONSE'
  /** The token service could not be reached (DNS, connection, TLS). */
  | 'ERR_STS_UNREACHABLE'
  /** The token request did not complete within the timeout. */
  | 'ERR_STS_TIMEOUT';

export const CREDLESS_SDK_ERROR_CODES: readonly CredlessSdkErrorCode[] = [
  'ERR_CREDENTIAL_UNAVAILABLE',
  'ERR_TOKEN_FILE',
  'ERR_STS_REJECTED',
  'ERR_STS_RESPONSE',
  'ERR_STS_UNREACHABLE',
  'ERR_STS_TIMEOUT',
];

export class CredlessSdkError extends Error {
  readonly code: CredlessSdkErrorCode;

  constructor(code: CredlessSdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredlessSdkError';
    this.code = code;
  }
}

export interface TokenServiceErrorDetails {
  status: number;
  /** OAuth `error`, e.g. 'invalid_client'. */
  error: string;
  errorDescription: string | undefined;
  /** `error_codes`, e.g. [700213]. */
  errorCodes: number[];
  traceId: string | undefined;
  correlationId: string | undefined;
}

/** The STS refused the exchange; `aadstsCode` names why (e.g. 'AADSTS700213': subject mismatch). */
export class TokenServiceError extends CredlessSdkError implements TokenServiceErrorDetails {
  readonly status: number;
  readonly error: string;
  readonly errorDescription: string | undefined;
  readonly errorCodes: number[];
  readonly traceId: string | undefined;
  readonly correlationId: string | undefined;
  /** 'AADSTS' + the first error code, or the code that opens error_description. */
  readonly aadstsCode: string | undefined;

  constructor(details: TokenServiceErrorDetails) {
    const summary = details.errorDescription ?? details.error;
    super(
      'ERR_STS_REJECTED',
      `the token service refused the request (HTTP ${details.status}, ${details.error}): ${summary}`,
    );
    this.name = 'TokenServiceError';
    this.status = details.status;
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.errorCodes = details.errorCodes;
    this.traceId = details.traceId;
    this.correlationId = details.correlationId;
    const [first] = details.errorCodes;
    this.aadstsCode =
      first !== undefined ? `AADSTS${first}` : /^(AADSTS\d+)\b/.exec(details.errorDescription ?? '')?.[1];
  }
}
