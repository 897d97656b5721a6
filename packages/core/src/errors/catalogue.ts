/**
 * The one catalogue of errors credless can return. Every error has a stable `code` (the key), an HTTP
 * status and a message template. Token-endpoint errors also carry their OAuth `error` and AADSTS
 * number, so the wire shape matches Entra; directory errors carry a Graph error code; operator errors
 * (operator-errors.ts: the command line, start-up) carry their exit code. Every code's exit code comes
 * from here (exit-codes.ts), and the README's "Errors and exit codes" table is generated from it.
 * @module
 */

import { ADMISSION_ERRORS } from './admission-errors.ts';
import type { AdmissionErrorSpec, DirectoryErrorSpec, StsErrorSpec } from './catalogue-specs.ts';
import { CONSOLE_ERRORS } from './console-errors.ts';
import { DIRECTORY_ERRORS } from './directory-errors.ts';
import { OPERATOR_ERRORS, type OperatorErrorSpec } from './operator-errors.ts';
import { PLATFORM_ERRORS } from './platform-errors.ts';
import { STS_ERRORS } from './sts-errors.ts';

export type { AdmissionErrorSpec, DirectoryErrorSpec, StsErrorSpec } from './catalogue-specs.ts';

export const ERROR_CATALOGUE = {
  ...STS_ERRORS,
  ...DIRECTORY_ERRORS,
  ...CONSOLE_ERRORS,
  ...ADMISSION_ERRORS,
  ...PLATFORM_ERRORS,
  ...OPERATOR_ERRORS,
} as const satisfies Record<
  string,
  StsErrorSpec | DirectoryErrorSpec | AdmissionErrorSpec | OperatorErrorSpec
>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type StsErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CATALOGUE)[K] extends StsErrorSpec ? K : never;
}[ErrorCode];
