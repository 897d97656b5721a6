/**
 * @credless/sdk: workload identity for credless (and Entra) with no dependencies.
 *
 * ```ts
 * import { WorkloadIdentityCredential } from '@credless/sdk';
 * const credential = new WorkloadIdentityCredential(); // AZURE_* from the workload identity webhook
 * const { token } = await credential.getToken('https://graph.microsoft.com/.default');
 * ```
 * @module
 */
export type { WorkloadIdentityCredentialOptions } from './credentials/options.ts';
export {
  DEFAULT_AUTHORITY_HOST,
  DEFAULT_REFRESH_MARGIN_MS,
  DEFAULT_TIMEOUT_MS,
} from './credentials/options.ts';
export type { AccessToken, GetTokenOptions } from './credentials/workload-identity.ts';
export { WorkloadIdentityCredential } from './credentials/workload-identity.ts';
export type { CredlessSdkErrorCode, TokenServiceErrorDetails } from './errors.ts';
export { CREDLESS_SDK_ERROR_CODES, CredlessSdkError, TokenServiceError } from './errors.ts';
