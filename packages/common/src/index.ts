/**
 * @credless/common: what the server, the webhook and the CLI share — the logger factory and the PKI
 * helpers (local CA, server certificates, PEM). Depends on no other credless package.
 * @module
 */

export type { Logger } from 'pino';
export type { EnvVariableDoc } from './config/environment.ts';
export {
  ConfigError,
  choiceVariable,
  envVariableDocs,
  flagVariable,
  integerVariable,
  limitVariable,
  listVariable,
  parseEnvironment,
  stringVariable,
  stringVariableWithDefault,
  urlVariable,
} from './config/environment.ts';
export { environmentTable } from './config/environment-table.ts';
export { markdownTable } from './config/markdown-table.ts';
export type { LoggerOptions, LogLevel } from './logging.ts';
export { createLogger, isLogLevel, LOG_LEVELS } from './logging.ts';
export type { CertificateInfo, PemKeyPair } from './pki/certificates.ts';
export {
  canonicalIpAddress,
  createCertificateAuthority,
  isIssuedBy,
  issueServerCertificate,
  pemFileText,
  readCertificateInfo,
} from './pki/certificates.ts';
export { x509 } from './pki/x509.ts';
