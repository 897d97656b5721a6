/**
 * @credless/cli: the `credless` command. Commands are exported functions, callable without argv.
 * @module
 */
export { buildProgram, main } from './cli.ts';
export { rotateAdminKeyCommand, showAdminIdentity } from './commands/admin.ts';
export {
  applyCommand,
  type DeclarativeIo,
  type DeclarativeOptions,
  directoryApiOf,
  planCommand,
  withDirectoryApi,
} from './commands/declarative.ts';
export {
  type IssuerPolicyView,
  setIssuerPolicy,
  showIssuerPolicy,
  type TrustedIssuerView,
  trustIssuer,
  untrustIssuer,
} from './commands/issuer-policy.ts';
export { createTenant, listTenants, showTenant } from './commands/tenant.ts';
export { describeRunning, up } from './commands/up.ts';
export { type DirectoryContext, openDirectoryContext } from './context.ts';
export type { Action, Plan } from './declarative/actions.ts';
export { ApplyError, applyPlan } from './declarative/apply.ts';
export { type IdentityFile, identityFileSchema, identityJsonSchema } from './declarative/definition.ts';
export type { DirectoryApi, DirectoryState } from './declarative/directory-api.ts';
export { readDirectoryState } from './declarative/directory-api.ts';
export { type GraphCall, graphDirectory } from './declarative/graph-directory.ts';
export { DefinitionError, loadIdentityFile, parseIdentityFile } from './declarative/load.ts';
export { PlanError, plan } from './declarative/plan.ts';
export { renderPlan } from './declarative/render.ts';
export { EXIT, exitCodeFor, UsageError } from './exit-codes.ts';
// az-shaped session (credless login) and output (--query, -o).
export { formatOutput, type OutputFormat, parseOutputFormat } from './output/format.ts';
export { compileQuery } from './output/query.ts';
export { type GraphApi, openGraphApi } from './session/graph-api.ts';
export { type AccountView, type LoginOptions, login, logout, showAccount } from './session/login.ts';
export type { Session, SessionLocation } from './session/session-store.ts';
