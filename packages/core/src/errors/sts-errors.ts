/**
 * Catalogue entries for the token endpoint: requests, clients, assertions, resources, availability.
 * Part of the one catalogue (catalogue.ts spreads them in, in this order).
 * @module
 */
import { NO_MATCH_HINT, type StsErrorSpec, sts } from './catalogue-specs.ts';

export const STS_ERRORS = {
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
} as const satisfies Record<string, StsErrorSpec>;
