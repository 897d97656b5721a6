/**
 * Catalogue entries for the local platforms (emulated issuers, cluster runtime, registries), Azure RBAC and Resource Manager.
 * Part of the one catalogue (catalogue.ts spreads them in, in this order).
 * @module
 */
import { type DirectoryErrorSpec, dir } from './catalogue-specs.ts';

export const PLATFORM_ERRORS = {
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
} as const satisfies Record<string, DirectoryErrorSpec>;
