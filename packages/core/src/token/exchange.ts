/**
 * The client-credentials token exchange with a federated client assertion (or a certificate
 * assertion, or a client secret where the tenant's policy allows one), written as a list of small
 * named steps over one context so the path is auditable: a trace records the steps that ran and the
 * error that stopped it. No step issues anything until every check has passed.
 * @module
 */
import { DEFAULT_CLIENT_SECRET_POLICY } from '../directory/client-secrets.ts';
import { findKeyCredential, type KeyCredential } from '../directory/key-credentials.ts';
import type { AccessTokenVersion, FederatedIdentityCredential, Tenant } from '../directory/types.ts';
import { CredlessError } from '../errors/index.ts';
import { checkAssertionLifetime, decideAssertionIssuer } from '../issuer-policy/policy.ts';
import type { TrustedIssuer } from '../issuer-policy/types.ts';
import { isOwnTokenServiceIssuer } from '../local-issuers/issuer-urls.ts';
import { buildAccessTokenClaims } from './access-token-claims.ts';
import { type AssertionIdentity, checkAssertionTimes, readAssertionIdentity } from './assertion-claims.ts';
import { keyMismatch, verifyAssertionSignature } from './assertion-signature.ts';
import { type PeekedAssertion, peekAssertion } from './assertion-structure.ts';
import { matchFederatedCredential } from './credential-match.ts';
import type { DirectoryPrincipal, ExchangePorts } from './exchange-ports.ts';
import type { IssuedAccessToken } from './issued-access-token.ts';
import {
  type ClientCredentialsRequest,
  type EndpointVersion,
  parseClientCredentialsRequest,
} from './token-request.ts';
import { asReissued, tokenReuseKey } from './token-reuse.ts';

export type { IssuedAccessToken } from './issued-access-token.ts';

export interface TokenExchangeInput {
  tenant: string;
  version: EndpointVersion;
  params: ReadonlyMap<string, string>;
}

/** What the exchange learned, for sign-in records and explanations; never holds the assertion. */
export interface ExchangeContext {
  input: TokenExchangeInput;
  tenant?: Tenant;
  request?: ClientCredentialsRequest;
  client?: DirectoryPrincipal;
  resource?: DirectoryPrincipal;
  assertion?: PeekedAssertion;
  identity?: AssertionIdentity;
  candidates?: FederatedIdentityCredential[];
  credential?: FederatedIdentityCredential;
  /** The certificate credential that verified a certificate assertion (instead of a federated one). */
  keyCredential?: KeyCredential;
  roles?: string[];
  issued?: IssuedAccessToken;
  /** The tenant's settings for the assertion's issuer, when the issuer policy lists it. */
  issuerSettings?: TrustedIssuer;
  /** The client secret that authenticated the client (its id and name; never the secret). */
  passwordCredential?: { keyId: string; displayName: string | null };
  /**
   * Set when the exchange went ahead only because a policy is in audit mode: the issuer policy
   * (`issuer_not_trusted`) or the client secret policy (`client_secret`: every secret sign-in).
   */
  policyAudit?: 'issuer_not_trusted' | 'client_secret';
}

type Step = (ctx: ExchangeContext, ports: ExchangePorts) => Promise<void> | void;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** GUIDs (client ids, app ids) compare case-insensitively, as in Entra; the directory stores them lowercased. */
const canonicalId = (id: string): string => (GUID.test(id) ? id.toLowerCase() : id);

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`exchange step ran before ${what} was set`);
  return value;
};

const resolveTenant: Step = async (ctx, ports) => {
  const tenant = await ports.directory.findTenant(ctx.input.tenant);
  if (!tenant) throw new CredlessError('tenant_not_found', { tenant: ctx.input.tenant });
  ctx.tenant = tenant;
};

const parseRequest: Step = (ctx) => {
  ctx.request = parseClientCredentialsRequest(ctx.input.params, ctx.input.version);
};

const resolveClient: Step = async (ctx, ports) => {
  const tenant = need(ctx.tenant, 'tenant');
  const { clientId } = need(ctx.request, 'request');
  const client = await ports.directory.findClient(tenant.id, canonicalId(clientId));
  if (!client || client.application.builtIn) {
    throw new CredlessError('client_not_found', { clientId, tenant: ctx.input.tenant });
  }
  ctx.client = client;
};

const resolveResource: Step = async (ctx, ports) => {
  const tenant = need(ctx.tenant, 'tenant');
  const { resource } = need(ctx.request, 'request');
  const found =
    (await ports.directory.findResource(tenant.id, canonicalId(resource))) ??
    (resource.endsWith('/')
      ? await ports.directory.findResource(tenant.id, resource.slice(0, -1))
      : undefined);
  if (!found?.servicePrincipal) {
    throw new CredlessError('resource_not_found', { resource, tenant: ctx.input.tenant });
  }
  ctx.resource = found;
};

const usesSecret = (ctx: ExchangeContext): boolean => ctx.request?.clientSecret !== undefined;

/** The assertion steps do nothing for a client authenticated by a secret. */
const assertionOnly =
  (step: Step): Step =>
  (ctx, ports) =>
    usesSecret(ctx) ? undefined : step(ctx, ports);

/** A client secret: allowed by the tenant's policy, then checked against the application's hashes. */
const verifyClientSecret: Step = async (ctx, ports) => {
  const { clientSecret } = need(ctx.request, 'request');
  if (clientSecret === undefined) return;
  const policy = need(ctx.tenant, 'tenant').clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY;
  if (policy.mode === 'deny') throw new CredlessError('client_secret_not_supported');
  const { application } = need(ctx.client, 'client');
  const found = await ports.clientSecrets?.verify(application, clientSecret, ports.now());
  if (!found) throw new CredlessError('client_secret_invalid', { clientId: application.appId });
  ctx.passwordCredential = { keyId: found.keyId, displayName: found.displayName };
  if (policy.mode === 'audit') ctx.policyAudit = 'client_secret';
};

const inspectAssertion: Step = (ctx, ports) => {
  const clientAssertion = need(need(ctx.request, 'request').clientAssertion, 'client assertion');
  ctx.assertion = peekAssertion(clientAssertion, ports.settings.maxAssertionLength);
};

/** Only the token service's own issuers: the emulated cluster and GitHub issuers under the base URL federate. */
const refuseOwnTokens: Step = (ctx, ports) => {
  const { issuer } = need(ctx.assertion, 'assertion');
  if (isOwnTokenServiceIssuer(ports.settings.baseUrl, issuer))
    throw new CredlessError('assertion_issued_by_self');
};

/**
 * A certificate credential's assertion (Entra's client assertion for certificates): iss = the client
 * id and the application holds certificates. Its key then comes from the application's own
 * keyCredentials, never from the token; every other assertion goes the federated way.
 */
const usesCertificate = (ctx: ExchangeContext): boolean =>
  (ctx.client?.application.keyCredentials?.length ?? 0) > 0 &&
  ctx.assertion !== undefined &&
  ctx.request !== undefined &&
  canonicalId(ctx.assertion.issuer) === canonicalId(ctx.request.clientId);

function certificateKey(ctx: ExchangeContext, ports: ExchangePorts) {
  const found = findKeyCredential(
    need(ctx.client, 'client').application.keyCredentials ?? [],
    need(ctx.assertion, 'assertion').header,
    ports.now(),
  );
  if (!found) {
    throw new CredlessError('assertion_signature_invalid', {
      reason: "no current certificate credential of the application matches the assertion's x5t or x5t#S256",
    });
  }
  ctx.keyCredential = found.credential;
  return found.publicKey;
}

/** Entra's rules for certificate assertions: sub = iss = client id, aud = this tenant's token endpoint. */
function checkCertificateClaims(ctx: ExchangeContext, ports: ExchangePorts): void {
  const identity = need(ctx.identity, 'identity');
  if (identity.subject !== identity.issuer) {
    throw new CredlessError('assertion_malformed', {
      reason: "the 'sub' claim of a certificate assertion must equal its 'iss' (the client id)",
    });
  }
  const tenant = need(ctx.tenant, 'tenant');
  const base = ports.settings.baseUrl;
  const endpoints = [ctx.input.tenant, tenant.id, tenant.defaultDomain].flatMap((name) => [
    `${base}/${name}/oauth2/v2.0/token`,
    `${base}/${name}/oauth2/token`,
  ]);
  if (!identity.audiences.some((audience) => endpoints.includes(audience))) {
    throw new CredlessError('certificate_assertion_audience_invalid', {
      expected: `${base}/${tenant.id}/oauth2/v2.0/token`,
    });
  }
}

/** The tenant's issuer policy, before any key fetch: enforce refuses unlisted issuers, audit flags them. */
const applyIssuerPolicy: Step = async (ctx, ports) => {
  if (usesCertificate(ctx) || !ports.directory.issuerPolicy) return;
  const policy = await ports.directory.issuerPolicy(need(ctx.tenant, 'tenant').id);
  const decision = decideAssertionIssuer(policy, need(ctx.assertion, 'assertion').issuer);
  if (decision.trusted) ctx.issuerSettings = decision.trusted;
  if (decision.audit) ctx.policyAudit = decision.audit;
};

const findCandidateCredentials: Step = async (ctx, ports) => {
  if (usesCertificate(ctx)) return;
  const tenant = need(ctx.tenant, 'tenant');
  const client = need(ctx.client, 'client');
  const { issuer } = need(ctx.assertion, 'assertion');
  // Only issuers named by a credential of this app are ever contacted. The candidates themselves are
  // fetched by the verified subject (matchCredential), so unverified subjects never reach the store.
  if (!(await ports.directory.hasCredentialsForIssuer(tenant.id, client.application.id, issuer))) {
    throw new CredlessError('issuer_no_match', { issuer });
  }
};

const verifySignature: Step = async (ctx, ports) => {
  const clientAssertion = need(need(ctx.request, 'request').clientAssertion, 'client assertion');
  const assertion = need(ctx.assertion, 'assertion');
  const key = usesCertificate(ctx)
    ? certificateKey(ctx, ports)
    : await ports.issuerKeys.getVerificationKey(assertion.issuer, assertion.kid, assertion.alg, {
        tenantId: need(ctx.tenant, 'tenant').id,
      });
  const mismatch = keyMismatch(assertion.alg, key);
  if (mismatch) throw new CredlessError('assertion_signature_invalid', { reason: mismatch });
  if (!(await verifyAssertionSignature(clientAssertion, assertion.alg, key))) {
    throw new CredlessError('assertion_signature_invalid', { reason: 'the signature does not verify' });
  }
};

const checkClaims: Step = (ctx, ports) => {
  const { payload } = need(ctx.assertion, 'assertion');
  ctx.identity = readAssertionIdentity(payload);
  const nowSeconds = Math.floor(ports.now() / 1000);
  const settings = ctx.issuerSettings;
  checkAssertionTimes(payload, nowSeconds, settings?.clockSkewSeconds ?? ports.settings.clockSkewSeconds);
  if (settings?.maxAssertionLifetimeSeconds != null) {
    checkAssertionLifetime(payload, nowSeconds, settings.maxAssertionLifetimeSeconds);
  }
  if (usesCertificate(ctx)) checkCertificateClaims(ctx, ports);
};

const matchCredential: Step = async (ctx, ports) => {
  if (usesCertificate(ctx)) return;
  const identity = need(ctx.identity, 'identity');
  const found = await ports.directory.credentialsForAssertion(
    need(ctx.tenant, 'tenant').id,
    need(ctx.client, 'client').application.id,
    identity.issuer,
    identity.subject,
  );
  const candidates = [...found.exact, ...found.expressions];
  ctx.candidates = candidates;
  try {
    // The issuer is known (checked before fetching keys), so no candidate means no subject matched.
    if (candidates.length === 0) throw new CredlessError('subject_no_match', { subject: identity.subject });
    ctx.credential = matchFederatedCredential(
      identity,
      candidates,
      // The whole verified payload: expression credentials may look at claims beyond iss/sub/aud.
      need(ctx.assertion, 'assertion').payload,
    );
  } catch (error) {
    if (!(error instanceof CredlessError) || error.code !== 'subject_no_match') throw error;
    // Candidates hold exact subjects only; a subject differing only in case is asked for separately,
    // on this failure path alone (an indexed probe), to keep the 7002138 diagnosis.
    return diagnoseSubjectCase(ctx, ports, identity, error);
  }
};

async function diagnoseSubjectCase(
  ctx: ExchangeContext,
  ports: ExchangePorts,
  identity: AssertionIdentity,
  noMatch: CredlessError,
): Promise<never> {
  const caseOnly = await ports.directory.hasCaseInsensitiveSubject(
    need(ctx.tenant, 'tenant').id,
    need(ctx.client, 'client').application.id,
    identity.issuer,
    identity.subject,
  );
  throw caseOnly ? new CredlessError('subject_case_mismatch', { subject: identity.subject }) : noMatch;
}

const requireClientPrincipal: Step = (ctx) => {
  const client = need(ctx.client, 'client');
  const { clientId } = need(ctx.request, 'request');
  if (!client.servicePrincipal) {
    throw new CredlessError('client_service_principal_missing', { clientId, tenant: ctx.input.tenant });
  }
  if (!client.servicePrincipal.accountEnabled) {
    throw new CredlessError('client_disabled', { clientId, displayName: client.application.displayName });
  }
};

const collectRoles: Step = async (ctx, ports) => {
  const tenant = need(ctx.tenant, 'tenant');
  const clientPrincipal = need(need(ctx.client, 'client').servicePrincipal, 'client principal');
  const resource = need(ctx.resource, 'resource');
  const resourcePrincipal = need(resource.servicePrincipal, 'resource principal');
  const assigned = await ports.directory.assignedAppRoleIds(
    tenant.id,
    clientPrincipal.id,
    resourcePrincipal.id,
  );
  if (resourcePrincipal.appRoleAssignmentRequired && assigned.size === 0) {
    throw new CredlessError('role_assignment_required', {
      clientId: clientPrincipal.appId,
      resource: need(ctx.request, 'request').resource,
    });
  }
  ctx.roles = resource.application.appRoles
    .filter((role) => role.isEnabled && assigned.has(role.id))
    .map((role) => role.value);
};

async function signAccessToken(ctx: ExchangeContext, ports: ExchangePorts): Promise<IssuedAccessToken> {
  const tenant = need(ctx.tenant, 'tenant');
  const client = need(ctx.client, 'client');
  const clientPrincipal = need(client.servicePrincipal, 'client principal');
  const resource = need(ctx.resource, 'resource');
  const version: AccessTokenVersion = resource.application.accessTokenAcceptedVersion === 2 ? 2 : 1;
  const requested = need(ctx.request, 'request').resource;
  const issuedAt = Math.floor(ports.now() / 1000);
  const { min, max } = ports.settings.tokenLifetimeSeconds;
  const lifetimeSeconds = ports.randomInt(min, max);
  const claims = buildAccessTokenClaims({
    version,
    baseUrl: ports.settings.baseUrl,
    tenantId: tenant.id,
    audience: version === 2 ? resource.application.appId : requested,
    client: {
      appId: client.application.appId,
      displayName: client.application.displayName,
      servicePrincipalId: clientPrincipal.id,
    },
    roles: need(ctx.roles, 'roles'),
    issuedAt,
    lifetimeSeconds,
    uti: ports.newTokenId(),
  });
  const accessToken = await ports.signer.sign(tenant.id, claims, { includeX5t: version === 1 });
  return {
    accessToken,
    tokenVersion: version,
    expiresIn: lifetimeSeconds,
    expiresOn: issuedAt + lifetimeSeconds,
    notBefore: issuedAt,
    resource: requested,
  };
}

const mintAccessToken: Step = async (ctx, ports) => {
  const reuse = ports.tokenReuse;
  // The reuse window covers federated exchanges only (client secrets have no credential or subject).
  if (!reuse || !ctx.credential || !ctx.identity) {
    ctx.issued = await signAccessToken(ctx, ports);
    return;
  }
  const resource = need(ctx.resource, 'resource');
  const key = tokenReuseKey({
    tenantId: need(ctx.tenant, 'tenant').id,
    clientAppId: need(ctx.client, 'client').application.appId,
    resource: need(ctx.request, 'request').resource,
    resourceAppId: resource.application.appId,
    credentialId: ctx.credential.id,
    issuer: ctx.identity.issuer,
    subject: ctx.identity.subject,
    roles: need(ctx.roles, 'roles'),
  });
  const issued = await reuse.reuseOrMint(key, () => signAccessToken(ctx, ports));
  ctx.issued = asReissued(issued, Math.floor(ports.now() / 1000));
};

/** The steps in order; exported so the order is visible and testable. */
export const TOKEN_EXCHANGE_STEPS: ReadonlyArray<readonly [string, Step]> = [
  ['resolveTenant', resolveTenant],
  ['parseRequest', parseRequest],
  ['resolveClient', resolveClient],
  ['resolveResource', resolveResource],
  ['verifyClientSecret', verifyClientSecret],
  ['inspectAssertion', assertionOnly(inspectAssertion)],
  ['refuseOwnTokens', assertionOnly(refuseOwnTokens)],
  ['applyIssuerPolicy', assertionOnly(applyIssuerPolicy)],
  ['findCandidateCredentials', assertionOnly(findCandidateCredentials)],
  ['verifySignature', assertionOnly(verifySignature)],
  ['checkClaims', assertionOnly(checkClaims)],
  ['matchCredential', assertionOnly(matchCredential)],
  ['requireClientPrincipal', requireClientPrincipal],
  ['collectRoles', collectRoles],
  ['mintAccessToken', mintAccessToken],
];

export interface ExchangeOutcome {
  context: ExchangeContext;
  /** Name of the step that failed, when one did. */
  failedStep?: string;
  error?: unknown;
  issued?: IssuedAccessToken;
}

/** Runs the exchange; never throws. On failure `issued` is absent and `error` says why. */
export async function exchangeClientAssertion(
  input: TokenExchangeInput,
  ports: ExchangePorts,
): Promise<ExchangeOutcome> {
  const context: ExchangeContext = { input };
  for (const [name, step] of TOKEN_EXCHANGE_STEPS) {
    try {
      // Most steps are synchronous or answered from memory; awaiting only real promises saves a
      // microtask hop per step on the hot path.
      const pending = step(context, ports);
      if (pending) await pending;
    } catch (error) {
      return { context, failedStep: name, error };
    }
  }
  return { context, issued: need(context.issued, 'issued token') };
}
