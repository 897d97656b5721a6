import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.ts';

export type ErrorParams = Record<string, string | number | undefined>;

/**
 * The single error base of credless. `code` is stable and keys the catalogue; `params` fill its message
 * template and are safe to show (they never hold a token or a secret).
 */
export class CredlessError extends Error {
  /** Subclasses name themselves (UsageError, BackupError, …); the code is what callers test. */
  override readonly name: string = 'CredlessError';
  readonly code: ErrorCode;
  readonly params: ErrorParams;
  readonly status: number;

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    const spec = ERROR_CATALOGUE[code];
    super(spec.message(params), options);
    this.code = code;
    this.params = params;
    this.status = spec.status;
  }
}

export const isCredlessError = (value: unknown): value is CredlessError => value instanceof CredlessError;
