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
  // The local clusters' Kubernetes API: kube-apiserver's Status reasons and messages (resource = `deployments.apps`).
  kube_object_not_found: dir(404, 'NotFound', (p) => `${p.resource} "${p.name}" not found`),
  kube_object_exists: dir(409, 'AlreadyExists', (p) => `${p.resource} "${p.name}" already exists`),
  kube_object_conflict: dir(
    409,
    'Conflict',
    (p) =>
      `Operation cannot be fulfilled on ${p.resource} "${p.name}": the object has been modified; please apply your changes to the latest version and try again`,
  ),
  kube_object_invalid: dir(
    422,
    'Invalid',
    (p) => `${p.kind} "${p.name}" is invalid: ${p.field}: ${p.reason}`,
  ),
  kube_apply_conflict: dir(
    409,
    'Conflict',
    (p) => `Apply failed with ${p.count} conflict${p.plural}: ${p.conflicts}`,
  ),
  kube_request_invalid: dir(400, 'BadRequest', (p) => `${p.reason}`),
  // A watch from a resourceVersion older than the kept history (etcd compacted it): the client lists again.
  kube_resource_version_expired: dir(
    410,
    'Expired',
    (p) => `too old resource version: ${p.requested} (${p.oldest})`,
  ),
  kube_media_type_unsupported: dir(
    415,
    'UnsupportedMediaType',
    (p) => `the body of the request was in an unknown format - accepted media types include: ${p.accepted}`,
  ),
  kube_method_not_supported: dir(
    405,
    'MethodNotAllowed',
    (p) => `the server does not allow this method on the requested resource (${p.verb} ${p.resource})`,
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
      `The resource type could not be found for ${p.method} ${p.path}: this Resource Manager serves subscriptions, tenants, resource groups, Microsoft.Authorization, managed clusters and registries only.`,
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
  // ---- Resource Manager's Microsoft.Authorization: role definitions and role assignments
  arm_role_definition_not_found: dir(
    404,
    'RoleDefinitionDoesNotExist',
    (p) => `The specified role definition with ID '${p.id}' does not exist.`,
  ),
  arm_role_definition_missing: dir(
    400,
    'RoleDefinitionDoesNotExist',
    (p) => `The specified role definition with ID '${p.id}' does not exist.`,
  ),
  arm_role_assignment_id_invalid: dir(
    400,
    'InvalidRoleAssignmentId',
    (p) => `The role assignment ID '${p.name}' is not valid. The role assignment ID must be a GUID.`,
  ),
  arm_role_assignment_not_found: dir(
    404,
    'RoleAssignmentNotFound',
    (p) => `The role assignment '${p.name}' is not found.`,
  ),
  arm_role_assignment_exists: dir(409, 'RoleAssignmentExists', () => 'The role assignment already exists.'),
  arm_role_assignment_update_not_permitted: dir(
    409,
    'RoleAssignmentUpdateNotPermitted',
    () => 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
  ),
  arm_principal_not_found: dir(
    400,
    'PrincipalNotFound',
    (p) =>
      `Principal ${p.id} does not exist in the directory ${p.tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.`,
  ),
  arm_principal_type_unmatched: dir(
    400,
    'UnmatchedPrincipalType',
    (p) =>
      `The PrincipalId '${p.id}' has type '${p.actual}' , which is different from specified PrincipalType '${p.given}'.`,
  ),
  arm_query_unsupported: dir(400, 'UnsupportedQuery', (p) => `${p.reason}`),
  // ---- ARM managed clusters, registries, providers and long-running operations
  arm_resource_not_found: dir(
    404,
    'ResourceNotFound',
    (p) =>
      `The Resource '${p.type}/${p.name}' under resource group '${p.group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  ),
  arm_resource_name_invalid: dir(
    400,
    'InvalidResourceName',
    (p) => `Resource name '${p.name}' is invalid: ${p.rule}`,
  ),
  arm_resource_location_changed: dir(
    409,
    'InvalidResourceLocation',
    (p) =>
      `The resource '${p.name}' already exists in location '${p.existing}' in resource group '${p.group}'. A resource with the same name cannot be created in location '${p.location}'. Please select a new resource name.`,
  ),
  arm_parameter_invalid: dir(400, 'InvalidParameter', (p) => `${p.reason}`),
  arm_registry_name_in_use: dir(
    409,
    'AlreadyInUse',
    (p) =>
      `The registry DNS name ${p.name}.azurecr.io is already in use. You can check if the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability`,
  ),
  arm_registry_build_unavailable: dir(
    400,
    'FeatureNotSupported',
    (p) =>
      `credless has no Azure Blob storage for the build context upload that '${p.action}' needs: run \`credless acr build --registry ${p.registry} --image <name:tag> <directory>\` instead.`,
  ),
  arm_provider_api_version_invalid: dir(
    400,
    'NoRegisteredProviderFound',
    (p) =>
      `No registered resource provider found for location 'global' and API version '${p.version}' for type '${p.type}'. The supported api-versions are '${p.supported}'.`,
  ),
  arm_provider_namespace_invalid: dir(
    404,
    'InvalidResourceNamespace',
    (p) => `The resource namespace '${p.namespace}' is invalid.`,
  ),
  arm_cluster_api_unavailable: dir(
    409,
    'OperationNotAllowed',
    (p) =>
      `The API server of managed cluster '${p.name}' is not served yet: retry once its create operation has succeeded.`,
  ),
} as const satisfies Record<string, DirectoryErrorSpec>;
