/**
 * The one catalogue of errors credless can return. Every error has a stable `code` (the key), an HTTP
 * status and a message template. Token-endpoint errors also carry their OAuth `error` and AADSTS
 * number, so the wire shape matches Entra; directory errors carry a Graph error code; operator errors
 * (operator-errors.ts: the command line, start-up) carry their exit code. Every code's exit code comes
 * from here (exit-codes.ts), and the README's "Errors and exit codes" table is generated from it.
 * @module
 */

import { OPERATOR_ERRORS, type OperatorErrorSpec } from './operator-errors.ts';

type Params = Record<string, string | number | undefined>;
type Message = (p: Params) => string;

export interface StsErrorSpec {
  kind: 'sts';
  status: number;
  /** OAuth 2.0 `error` value. */
  error:
    | 'invalid_request'
    | 'invalid_client'
    | 'unauthorized_client'
    | 'unsupported_grant_type'
    | 'invalid_scope'
    | 'invalid_resource'
    | 'invalid_grant'
    | 'invalid_instance'
    | 'temporarily_unavailable'
    | 'server_error';
  aadsts: number;
  message: Message;
}

export interface DirectoryErrorSpec {
  kind: 'directory';
  status: number;
  /** Microsoft Graph error code. */
  graph: string;
  message: Message;
}

/** Kubernetes admission webhook denials: the status code and reason of the AdmissionResponse status. */
export interface AdmissionErrorSpec {
  kind: 'admission';
  status: number;
  /** Kubernetes metav1.StatusReason. */
  reason: 'BadRequest' | 'Forbidden' | 'InternalError';
  message: Message;
}

const NO_MATCH_HINT =
  'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.';

const sts = (
  status: number,
  error: StsErrorSpec['error'],
  aadsts: number,
  message: Message,
): StsErrorSpec => ({
  kind: 'sts',
  status,
  error,
  aadsts,
  message,
});
const adm = (status: number, reason: AdmissionErrorSpec['reason'], message: Message): AdmissionErrorSpec => ({
  kind: 'admission',
  status,
  reason,
  message,
});
const dir = (status: number, graph: string, message: Message): DirectoryErrorSpec => ({
  kind: 'directory',
  status,
  graph,
  message,
});

export const ERROR_CATALOGUE = {
  // ---- token endpoint: the request itself
  method_not_allowed: sts(
    400,
    'invalid_request',
    900561,
    (p) => `The endpoint only accepts POST, OPTIONS requests. Received a ${p.method} request.`,
  ),
  malformed_request: sts(
    400,
    'invalid_request',
    9002313,
    (p) => `Invalid request. Request is malformed or invalid: ${p.reason}`,
  ),
  request_too_large: sts(
    413,
    'invalid_request',
    9002313,
    (p) => `Invalid request. The request body exceeds ${p.limit} bytes.`,
  ),
  missing_parameter: sts(
    400,
    'invalid_request',
    900144,
    (p) => `The request body must contain the following parameter: '${p.name}'.`,
  ),
  tenant_not_found: sts(
    400,
    'invalid_request',
    90002,
    (p) =>
      `Tenant '${p.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  ),
  unsupported_grant_type: sts(
    400,
    'unsupported_grant_type',
    70003,
    (p) =>
      `The app requested an unsupported grant type '${p.grantType}'. Only client_credentials is supported.`,
  ),
  // ---- token endpoint: client and its authentication
  client_not_found: sts(
    400,
    'unauthorized_client',
    700016,
    (p) =>
      `Application with identifier '${p.clientId}' was not found in the directory '${p.tenant}'. This can happen if the application has not been installed by the administrator of the tenant.`,
  ),
  client_service_principal_missing: sts(
    400,
    'unauthorized_client',
    7000229,
    (p) => `The client application ${p.clientId} is missing service principal in the tenant ${p.tenant}.`,
  ),
  client_disabled: sts(
    400,
    'unauthorized_client',
    7000112,
    (p) => `Application '${p.clientId}'(${p.displayName}) is disabled.`,
  ),
  client_authentication_missing: sts(
    401,
    'invalid_client',
    7000218,
    () => `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`,
  ),
  client_secret_not_supported: sts(
    401,
    'invalid_client',
    7000215,
    () =>
      "Invalid client secret provided. This tenant's client secret policy is 'deny': authenticate with a client_assertion issued by a federated identity provider, or with a certificate.",
  ),
  client_secret_invalid: sts(
    401,
    'invalid_client',
    7000215,
    (p) =>
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${p.clientId}'.`,
  ),
  client_authentication_ambiguous: sts(
    400,
    'invalid_request',
    90023,
    () => "Send one client credential: either 'client_assertion' or 'client_secret', not both.",
  ),
  client_assertion_type_invalid: sts(
    400,
    'invalid_request',
    9002313,
    (p) =>
      `Invalid request. client_assertion_type '${p.assertionType}' is not supported; use 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.`,
  ),
  // ---- token endpoint: the client assertion
  assertion_malformed: sts(
    400,
    'invalid_request',
    50027,
    (p) => `JWT token is invalid or malformed: ${p.reason}`,
  ),
  assertion_signature_invalid: sts(
    401,
    'invalid_client',
    700027,
    (p) => `Client assertion failed signature validation: ${p.reason}`,
  ),
  assertion_time_invalid: sts(
    401,
    'invalid_client',
    700024,
    (p) =>
      `Client assertion is not within its valid time range. Current time: ${p.now}, assertion valid from ${p.validFrom}, expiry time of assertion ${p.expiry}.`,
  ),
  assertion_issued_by_self: sts(
    401,
    'invalid_client',
    700222,
    () => 'AAD-issued tokens may not be used for federated identity flows.',
  ),
  issuer_no_match: sts(
    401,
    'invalid_client',
    700211,
    (p) =>
      `No matching federated identity record found for presented assertion issuer '${p.issuer}'. ${NO_MATCH_HINT}`,
  ),
  audience_no_match: sts(
    401,
    'invalid_client',
    700212,
    (p) =>
      `No matching federated identity record found for presented assertion audience '${p.audience}'. ${NO_MATCH_HINT}`,
  ),
  subject_no_match: sts(
    401,
    'invalid_client',
    700213,
    (p) =>
      `No matching federated identity record found for presented assertion subject '${p.subject}'. ${NO_MATCH_HINT}`,
  ),
  subject_case_mismatch: sts(
    401,
    'invalid_client',
    7002138,
    (p) =>
      `No matching federated identity record found for presented assertion subject '${p.subject}'. A federated identity record matches only when compared case-insensitively; subjects are case-sensitive. ${NO_MATCH_HINT}`,
  ),
  signing_key_not_found: sts(
    401,
    'invalid_client',
    7000272,
    (p) =>
      `The key '${p.kid}' used to sign the client assertion was not found in the metadata of issuer '${p.issuer}'.`,
  ),
  external_oidc_failed: sts(
    401,
    'invalid_client',
    50166,
    (p) => `Request to External OIDC endpoint failed. Issuer '${p.issuer}': ${p.reason}`,
  ),
  // ---- token endpoint: the requested resource
  scope_not_default: sts(
    400,
    'invalid_scope',
    1002012,
    (p) =>
      `The provided value for scope ${p.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  ),
  scope_invalid: sts(
    400,
    'invalid_scope',
    70011,
    (p) =>
      `The provided value for the input parameter 'scope' is not valid. The scope ${p.scope} is not valid.`,
  ),
  scope_multiple_resources: sts(
    400,
    'invalid_scope',
    700022,
    (p) =>
      `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${p.scope} is not valid.`,
  ),
  resource_not_found: sts(
    400,
    'invalid_resource',
    500011,
    (p) =>
      `The resource principal named ${p.resource} was not found in the tenant named ${p.tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  ),
  role_assignment_required: sts(
    400,
    'invalid_grant',
    501051,
    (p) =>
      `Application '${p.clientId}' is not assigned to a role for the application '${p.resource}', which requires role assignment.`,
  ),
  invalid_instance: sts(
    400,
    'invalid_instance',
    50049,
    (p) => `Unknown or invalid instance. Authority '${p.authority}' is not served by this credless instance.`,
  ),
  // The directory database has been unreachable for longer than the replica may answer from memory
  // (CREDLESS_DIRECTORY_MAX_STALENESS_S), or an entry not in memory cannot be loaded: fail closed, retryably.
  directory_unavailable: sts(
    503,
    'temporarily_unavailable',
    90033,
    () =>
      'The directory is temporarily unavailable: credless cannot reach its database and will not issue from data older than its staleness limit. Please try again shortly.',
  ),
  // Throttling (CREDLESS_THROTTLE): Entra's client-loop refusal, answered with 429 and Retry-After.
  request_throttled: sts(
    429,
    'temporarily_unavailable',
    50196,
    (p) =>
      `The server terminated an operation because it encountered a client request loop: more than ${p.limit} token requests in ${p.window} s from this ${p.scope}. Cache tokens until they expire; retry after ${p.retryAfter} s.`,
  ),
  // Anything unexpected: nothing about the cause reaches the wire.
  server_error: sts(
    500,
    'server_error',
    50000,
    () =>
      'There was an error issuing a token. Please try again; if it persists, see the credless server log.',
  ),

  // ---- directory
  // A directory write (or a read not answered from memory) while the database is unreachable.
  directory_store_unavailable: dir(
    503,
    'serviceNotAvailable',
    () =>
      'The directory database is unavailable; the change was not made. Retry after the interval in Retry-After.',
  ),
  not_found: dir(
    404,
    'Request_ResourceNotFound',
    (p) =>
      `Resource '${p.id}' does not exist or one of its queried reference-property objects are not present.`,
  ),
  invalid_value: dir(400, 'Request_BadRequest', (p) => `Invalid value for '${p.field}': ${p.reason}`),
  duplicate_value: dir(
    409,
    'Request_MultipleObjectsWithSameKeyValue',
    (p) => `${p.objectType} with ${p.field} ${p.value} already exists.`,
  ),
  fic_duplicate_issuer_subject: dir(
    400,
    'InvalidFederatedIdentityCredentialValue',
    (p) =>
      `FederatedIdentityCredential with issuer '${p.issuer}' and subject '${p.subject}' already exists on this application (as '${p.existing}').`,
  ),
  fic_duplicate_issuer_expression: dir(
    400,
    'InvalidFederatedIdentityCredentialValue',
    (p) =>
      `FederatedIdentityCredential with issuer '${p.issuer}' and claimsMatchingExpression '${p.expression}' already exists on this application (as '${p.existing}').`,
  ),
  fic_limit_reached: dir(
    400,
    'Request_BadRequest',
    (p) =>
      `The application already has ${p.limit} federated identity credentials, the configured maximum. Remove one, or raise the limit.`,
  ),

  // ---- Graph-compatible API: access control, groups, certificate credentials
  graph_token_invalid: dir(401, 'InvalidAuthenticationToken', () => 'Access token is missing or invalid.'),
  graph_role_missing: dir(
    403,
    'Authorization_RequestDenied',
    (p) =>
      `Insufficient privileges to complete the operation: one of the application roles ${p.roles} is required.`,
  ),
  graph_bad_request: dir(400, 'BadRequest', (p) => `${p.reason}`),
  graph_throttled: dir(429, 'TooManyRequests', () => 'Please retry again later.'),
  // The tenant's client secret policy is 'deny' (addPassword).
  client_secret_policy_denied: dir(
    400,
    'Request_BadRequest',
    () =>
      "Client secrets are disabled by this tenant's client secret policy ('deny'). Use a federated identity credential (az ad app federated-credential create) or a certificate (az ad sp create-for-rbac --create-cert) instead.",
  ),
  // A well-formed $filter using what this Graph does not serve: an operator, function or property.
  graph_unsupported_query: dir(
    400,
    'Request_UnsupportedQuery',
    (p) => `Unsupported or invalid query filter clause specified for ${p.subject}.`,
  ),
  // Graph refuses changes to objects the tenant may not touch (Microsoft-owned apps, the last admin)
  // as an authorization failure, whatever roles the caller holds: 403, not the 400 of a bad request.
  local_admin_protected: dir(
    403,
    'Authorization_RequestDenied',
    (p) =>
      `Insufficient privileges to complete the operation: ${p.change} is not allowed on application ${p.appId}, credless's local administrator (credless login and the CLI sign in as it). Replace its certificate with \`credless admin rotate-key\`.`,
  ),
  group_member_exists: dir(
    400,
    'Request_BadRequest',
    () =>
      "One or more added object references already exist for the following modified properties: 'members'.",
  ),
  certificate_assertion_audience_invalid: sts(
    401,
    'invalid_client',
    700023,
    (p) =>
      `Client assertion audience claim does not match Realm issuer. The 'aud' claim must be the token endpoint ${p.expected}.`,
  ),
  // ---- issuer policy (per-tenant trusted issuers, shared-issuer guard, per-issuer lifetime)
  // On the wire an untrusted issuer is Entra's 700211 (the issuer is refused), saying why; the sign-in record keeps the real code.
  assertion_issuer_untrusted: sts(
    401,
    'invalid_client',
    700211,
    (p) =>
      `The presented assertion issuer '${p.issuer}' is not trusted by this tenant: its issuer policy is 'enforce' and the issuer is not on the trusted-issuer list. Trust it first: credless issuer-policy trust --issuer ${p.issuer}`,
  ),
  assertion_lifetime_exceeded: sts(
    401,
    'invalid_client',
    700024,
    (p) =>
      `Client assertion is not within its valid time range. Current time: ${p.now}, assertion valid from ${p.validFrom}, expiry time of assertion ${p.expiry}. Its lifetime (${p.lifetime} s) exceeds the ${p.max} s allowed for its issuer.`,
  ),
  fic_issuer_not_trusted: dir(
    400,
    'InvalidFederatedIdentityCredentialValue',
    (p) =>
      `Issuer '${p.issuer}' is not on this tenant's trusted-issuer list (issuer policy mode 'enforce'). Trust it first: credless issuer-policy trust --issuer ${p.issuer}`,
  ),
  fic_shared_issuer_unpinned: dir(
    400,
    'InvalidFederatedIdentityCredentialValue',
    (p) =>
      `Issuer '${p.issuer}' (${p.platform}) signs tokens for every customer, so this credential must pin an owner: ${p.reason}. ${p.hint}`,
  ),
  // ---- Kubernetes admission webhook (packages/webhook): denials shown by kubectl to whoever creates the pod
  webhook_service_account_not_found: adm(
    400,
    'BadRequest',
    (p) =>
      `serviceaccounts "${p.name}" not found in namespace "${p.namespace}": create the ServiceAccount before the pod (or set spec.serviceAccountName)`,
  ),
  webhook_service_account_unavailable: adm(
    500,
    'InternalError',
    (p) =>
      `could not read ServiceAccount ${p.namespace}/${p.name} from the Kubernetes API (${p.reason}); the pod is refused rather than admitted without its identity`,
  ),
  webhook_token_expiration_invalid: adm(
    400,
    'BadRequest',
    (p) =>
      `token expiration ${p.value} not valid. Expected value to be between 3600 and 86400 (annotation azure.workload.identity/service-account-token-expiration on ${p.source})`,
  ),
  webhook_identity_binding_denied: adm(
    403,
    'Forbidden',
    (p) =>
      `ServiceAccount ${p.namespace}/${p.name} may not use client id ${p.clientId}: ${p.reason} (identity bindings policy)`,
  ),
  webhook_mount_conflict: adm(
    400,
    'BadRequest',
    (p) =>
      `container "${p.container}" already mounts volume "${p.volume}" at ${p.mountPath}, where the workload identity token goes; remove that mount or change the webhook's token path`,
  ),
  webhook_pod_invalid: adm(400, 'BadRequest', (p) => `the pod cannot be admitted: ${p.reason}`),
  webhook_review_invalid: adm(400, 'BadRequest', (p) => `invalid AdmissionReview: ${p.reason}`),
  webhook_config_invalid: adm(500, 'InternalError', (p) => `invalid webhook configuration: ${p.reason}`),
  // ---- emulated issuers (local clusters, GitHub Actions): the ACTIONS_ID_TOKEN_REQUEST_URL endpoint
  actions_request_token_invalid: dir(
    401,
    'Unauthorized',
    () =>
      'The ACTIONS_ID_TOKEN_REQUEST_TOKEN is missing, expired or not issued by this credless: run `credless ci env` again and use its variables',
  ),
  actions_audience_invalid: dir(400, 'BadRequest', (p) => `The audience parameter is invalid: ${p.reason}`),
  // ---- local cluster runtime and registries (packages/platforms, runtime/): cluster apply/get/logs/delete, acr
  runtime_manifest_invalid: dir(400, 'BadRequest', (p) => `${p.source}: ${p.reason}`),
  runtime_placeholder_unresolved: dir(
    400,
    'BadRequest',
    (p) =>
      `${p.source}: placeholder \${${p.name}} has no value: export ${p.name}=… (or replace it) before applying`,
  ),
  runtime_object_not_found: dir(
    404,
    'NotFound',
    (p) => `${p.kind} "${p.name}" not found in namespace ${p.namespace}`,
  ),
  runtime_not_running: dir(
    424,
    'FailedDependency',
    (p) =>
      `the local cluster runtime is not running (${p.reason}): start it with \`credless up\` (same data directory)`,
  ),
  registry_not_found: dir(
    404,
    'NotFound',
    (p) =>
      `registry '${p.registry}' does not exist: create it with \`credless acr create --name ${p.registry}\``,
  ),
  registry_invalid: dir(400, 'BadRequest', (p) => `${p.reason}`),
  // ---- Azure RBAC role assignments and the local clusters' Kubernetes API (AKS with --enable-azure-rbac)
  role_definition_not_found: dir(
    400,
    'RoleDefinitionDoesNotExist',
    (p) => `Role '${p.role}' doesn't exist. Built-in roles: ${p.known}.`,
  ),
  role_assignment_scope_invalid: dir(
    400,
    'InvalidScope',
    (p) => `The scope '${p.scope}' is not valid: ${p.reason}`,
  ),
  role_assignee_not_found: dir(
    400,
    'PrincipalNotFound',
    (p) => `Cannot find a service principal or group in the directory for '${p.assignee}'.`,
  ),
  cluster_api_unauthorized: dir(401, 'Unauthorized', () => 'Unauthorized'),
  cluster_api_forbidden: dir(
    403,
    'Forbidden',
    (p) =>
      `${p.what}: User "${p.user}" cannot ${p.verb} ${p.target}: User does not have access to the resource in Azure. Update role assignment to allow access.`,
  ),
  // ---- Azure Resource Manager (subscriptions, tenants): ARM's body is Graph's {"error":{"code","message"}}.
  arm_api_version_missing: dir(
    400,
    'MissingApiVersionParameter',
    () => 'The api-version query parameter (?api-version=) is required for all requests.',
  ),
  arm_api_version_invalid: dir(
    400,
    'InvalidApiVersionParameter',
    (p) => `The api-version '${p.version}' is invalid. The supported versions are '${p.supported}'.`,
  ),
  arm_token_missing: dir(
    401,
    'AuthenticationFailed',
    () => "Authentication failed. The 'Authorization' header is missing.",
  ),
  arm_token_invalid: dir(
    401,
    'InvalidAuthenticationToken',
    (p) =>
      `The access token is invalid: it must be issued by this credless for one of the audiences ${p.audiences}.`,
  ),
  arm_subscription_malformed: dir(
    400,
    'InvalidSubscriptionId',
    (p) => `The provided subscription identifier '${p.id}' is malformed or invalid.`,
  ),
  arm_subscription_not_found: dir(
    404,
    'SubscriptionNotFound',
    (p) => `The subscription '${p.id}' could not be found.`,
  ),
  arm_route_not_found: dir(
    404,
    'InvalidResourceType',
    (p) =>
      `The resource type could not be found for ${p.method} ${p.path}: this Resource Manager serves subscriptions, tenants and resource groups only.`,
  ),
  arm_resource_group_not_found: dir(
    404,
    'ResourceGroupNotFound',
    (p) => `Resource group '${p.name}' could not be found.`,
  ),
  arm_resource_group_name_invalid: dir(
    400,
    'InvalidResourceGroupName',
    (p) =>
      `Resource group name '${p.name}' is invalid: up to 90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period.`,
  ),
  arm_resource_group_location_changed: dir(
    409,
    'InvalidResourceGroupLocation',
    (p) =>
      `Invalid resource group location '${p.location}'. The Resource group already exists in location '${p.existing}'.`,
  ),
  arm_location_required: dir(
    400,
    'LocationRequired',
    () => 'The location property is required for this definition.',
  ),
  arm_location_unavailable: dir(
    400,
    'LocationNotAvailableForResourceGroup',
    (p) =>
      `The provided location '${p.location}' is not available for resource group. List of available regions is '${p.known}'.`,
  ),
  arm_request_content_invalid: dir(
    400,
    'InvalidRequestContent',
    (p) => `The request content was invalid and could not be deserialized: ${p.reason}`,
  ),
  arm_authorization_failed: dir(
    403,
    'AuthorizationFailed',
    (p) =>
      `The client '${p.client}' with object id '${p.client}' does not have authorization to perform action '${p.action}' over scope '${p.scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  ),
  arm_operation_not_found: dir(
    404,
    'OperationNotFound',
    (p) => `The operation '${p.id}' could not be found.`,
  ),
  ...OPERATOR_ERRORS,
} as const satisfies Record<
  string,
  StsErrorSpec | DirectoryErrorSpec | AdmissionErrorSpec | OperatorErrorSpec
>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type StsErrorCode = {
  [K in ErrorCode]: (typeof ERROR_CATALOGUE)[K] extends StsErrorSpec ? K : never;
}[ErrorCode];
