/**
 * The CLI's error classes: each carries a catalogue code (core's errors/operator-errors.ts), and the
 * exit code is the catalogue's for that code (`exitCodeFor`, in core) — no class decides it here.
 * @module
 */
import { CredlessError, type ErrorCode, type ErrorParams, EXIT, exitCodeOf } from '@credless/core';

export { EXIT, type ExitCode, exitCodeFor } from '@credless/core';

/** Bad arguments or invalid input values (exit 2); subclasses name a more precise code. */
export class UsageError extends CredlessError {
  override readonly name: string = 'UsageError';
  constructor(reason: string, coded?: { code: ErrorCode; params: ErrorParams }) {
    super(coded?.code ?? 'usage_invalid', coded?.params ?? { reason });
  }
}

/** Thrown after a report was printed, to end with EXIT.noMatch. */
export class NoMatchError extends CredlessError {
  override readonly name = 'NoMatchError';
  constructor(reason: string) {
    super('explain_no_match', { reason });
  }
}

/** Thrown after a plan with changes was printed, to end with EXIT.changesPending. */
export class ChangesPendingError extends CredlessError {
  override readonly name = 'ChangesPendingError';
  constructor() {
    super('plan_changes_pending');
  }
}

/** The catalogue code of a command outcome that exits with `exitCode`. */
const CODE_FOR_EXIT: Partial<Record<number, ErrorCode>> = {
  [EXIT.invalidInput]: 'usage_invalid',
  [EXIT.notFound]: 'object_not_found',
  [EXIT.conflict]: 'object_conflict',
  [EXIT.noMatch]: 'explain_no_match',
  [EXIT.changesPending]: 'plan_changes_pending',
};

/**
 * A failure named by its outcome (a Graph API answer: 400 → 2, 404 → 3, 409 → 4): its code is the
 * catalogue's generic one for that exit code (object_not_found, object_conflict, …, command_failed).
 */
export class CommandError extends CredlessError {
  override readonly name: string = 'CommandError';
  constructor(reason: string, exitCode: number) {
    super(CODE_FOR_EXIT[exitCode] ?? 'command_failed', { reason });
  }

  get exitCode(): number {
    return exitCodeOf(this.code);
  }
}
