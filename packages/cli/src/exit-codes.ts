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
  /** `credless explain`: no credential matches the token (the report printed says why). */
  noMatch: 5,
  /** `credless plan --detailed-exitcode`: the directory differs from the file (terraform's 2, which is taken). */
  changesPending: 6,
} as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Thrown after a report was printed, to end with EXIT.noMatch. */
export class NoMatchError extends Error {
  override readonly name = 'NoMatchError';
}

/** Thrown after a plan with changes was printed, to end with EXIT.changesPending. */
export class ChangesPendingError extends Error {
  override readonly name = 'ChangesPendingError';
}

/** A failure that carries its exit code (e.g. a Graph API answer: 400 → 2, 404 → 3, 409 → 4). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.invalidInput;
  if (error instanceof CommandError) return error.exitCode;
  if (error instanceof NoMatchError) return EXIT.noMatch;
  if (error instanceof ChangesPendingError) return EXIT.changesPending;
  if (error instanceof CredlessError) {
    if (error.status === 404) return EXIT.notFound;
    if (error.status === 409) return EXIT.conflict;
    if (error.status === 400) return EXIT.invalidInput;
  }
  return EXIT.failure;
}
