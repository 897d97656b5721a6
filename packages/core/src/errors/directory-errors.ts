/**
 * Catalogue entries for the directory and its Graph-compatible API, and the issuer policy.
 * Part of the one catalogue (catalogue.ts spreads them in, in this order).
 * @module
 */
import { type DirectoryErrorSpec, dir, type StsErrorSpec, sts } from './catalogue-specs.ts';

export const DIRECTORY_ERRORS = {
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
} as const satisfies Record<string, DirectoryErrorSpec | StsErrorSpec>;
