/**
 * The one rule from an error to its exit code: the error's
 * catalogue code decides (an operator error names its exit code, an HTTP-shaped one exits by its
 * status); anything without a catalogue code is an unexpected failure.
 * @module
 */
import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.ts';
import { EXIT, type ExitCode } from './exit.ts';

/** How an HTTP status (of a catalogue entry, or of a Graph answer) exits the CLI. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400 || status === 413 || status === 422) return EXIT.invalidInput;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failure;
}

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);

/** The exit code of a catalogue code. */
export function exitCodeOf(code: ErrorCode): ExitCode {
  const spec = ERROR_CATALOGUE[code];
  return spec.kind === 'operator' ? spec.exit : exitCodeForStatus(spec.status);
}

/**
 * The exit code of anything thrown: read from its `code` when that is a catalogue code (CredlessError
 * and its subclasses; classes of packages below core carry the code as a plain property).
 */
export function exitCodeFor(error: unknown): ExitCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return isErrorCode(code) ? exitCodeOf(code) : EXIT.failure;
}
