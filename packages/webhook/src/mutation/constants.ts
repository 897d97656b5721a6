/**
 * The azure-workload-identity contract (labels, annotations, env names, volume) that credless's webhook
 * keeps, so manifests written for the original work unchanged.
 * @module
 */

export const USE_LABEL = 'azure.workload.identity/use';
export const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
export const TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';
export const TOKEN_EXPIRATION_ANNOTATION = 'azure.workload.identity/service-account-token-expiration';
export const SKIP_CONTAINERS_ANNOTATION = 'azure.workload.identity/skip-containers';

export const ENV_CLIENT_ID = 'AZURE_CLIENT_ID';
export const ENV_TENANT_ID = 'AZURE_TENANT_ID';
export const ENV_FEDERATED_TOKEN_FILE = 'AZURE_FEDERATED_TOKEN_FILE';
export const ENV_AUTHORITY_HOST = 'AZURE_AUTHORITY_HOST';

/** The volume name of azure-workload-identity up to v1.5.1 (v1.6.0's per-pod name broke reinvocation). */
export const TOKEN_VOLUME_NAME = 'azure-identity-token';
/** What the seed and most SDK docs hard-code. */
export const DEFAULT_TOKEN_PATH = '/var/run/secrets/azure/tokens/azure-identity-token';
export const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';

export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
export const MIN_TOKEN_EXPIRATION_SECONDS = 3600;
export const MAX_TOKEN_EXPIRATION_SECONDS = 86400;
