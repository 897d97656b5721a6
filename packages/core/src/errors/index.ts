export type {
  AdmissionErrorSpec,
  DirectoryErrorSpec,
  ErrorCode,
  StsErrorCode,
  StsErrorSpec,
} from './catalogue.ts';
export { ERROR_CATALOGUE } from './catalogue.ts';
export type { ErrorParams } from './credless-error.ts';
export { CredlessError, isCredlessError } from './credless-error.ts';
export type { ExitCode } from './exit.ts';
export { EXIT } from './exit.ts';
export { exitCodeFor, exitCodeForStatus, exitCodeOf, isErrorCode } from './exit-codes.ts';
export type { OperatorErrorSpec } from './operator-errors.ts';
export type { RequestIds } from './sts-error.ts';
export { toStsError } from './sts-error.ts';
