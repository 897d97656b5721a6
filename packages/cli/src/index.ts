/**
 * @credless/cli: the `credless` command. Commands are exported functions, callable without argv.
 * @module
 */
export { buildProgram, main } from './cli.ts';
export {
  createApplication,
  deleteApplication,
  listApplications,
  showApplication,
} from './commands/ad/app.ts';
export {
  createFederatedCredential,
  deleteFederatedCredential,
  listFederatedCredentials,
  showFederatedCredential,
} from './commands/ad/federated-credential.ts';
export { addPermission, adminConsent } from './commands/ad/permission.ts';
export { createServicePrincipal, showServicePrincipal } from './commands/ad/sp.ts';
export { rotateAdminKeyCommand, showAdminIdentity } from './commands/admin.ts';
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
export { EXIT, exitCodeFor, UsageError } from './exit-codes.ts';
export type { GraphClient, GraphClientOptions, GraphResponse } from './graph-client.ts';
export { createGraphClient, GraphClientError } from './graph-client.ts';
