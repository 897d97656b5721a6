import { CredlessError } from '@credless/core';

/** Exit codes of the credless command. */
export const EXIT = {
  ok: 0,
  /** Unexpected failure (see the message). */
  failure: 1,
  /** Bad arguments or invalid input values. */
  invalidInput: 2,
  /** The named object does not exist. */
  notFound: 3,
  /** The object exists with different content. */
  conflict: 4,
} as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.invalidInput;
  if (error instanceof CredlessError) {
    if (error.status === 404) return EXIT.notFound;
    if (error.status === 409) return EXIT.conflict;
    if (error.status === 400) return EXIT.invalidInput;
  }
  return EXIT.failure;
}
