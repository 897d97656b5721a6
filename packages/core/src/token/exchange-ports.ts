/**
 * The ports a token exchange needs. Adapters (cached directory, issuer key cache, signer) live in the
 * server package; tests can supply in-memory ones.
 * @module
 */
import type { StoredPasswordCredential } from '../directory/client-secrets.ts';
import type {
  Application,
  FederatedIdentityCredential,
  ServicePrincipal,
  Tenant,
} from '../directory/types.ts';
import type { TenantIssuerPolicy } from '../issuer-policy/types.ts';
import type { IssuedAccessToken } from './issued-access-token.ts';

export interface DirectoryPrincipal {
  application: Application;
  servicePrincipal: ServicePrincipal | undefined;
}

/** What `credentialsForAssertion` found for one (application, issuer, subject). */
export interface AssertionCredentials {
  /** Subject credentials with exactly this subject (at most one: (app, issuer, subject) is unique). */
  exact: FederatedIdentityCredential[];
  /** Claims-expression credentials of the application for this issuer. */
  expressions: FederatedIdentityCredential[];
}

/** Read-only directory lookups on the token path; expected to be answered from memory when warm. */
export interface TokenDirectory {
  findTenant(idOrDomain: string): Promise<Tenant | undefined>;
  findClient(tenantId: string, appId: string): Promise<DirectoryPrincipal | undefined>;
  /** By appId or identifier URI. */
  findResource(tenantId: string, identifier: string): Promise<DirectoryPrincipal | undefined>;
  /** Whether the application has any credential naming this issuer (one indexed row at most). */
  hasCredentialsForIssuer(tenantId: string, applicationId: string, issuer: string): Promise<boolean>;
  /**
   * The credentials that can match a verified assertion, fetched by index whatever the application
   * holds: subject credentials whose subject equals `subject` exactly, and the issuer's
   * claims-expression credentials.
   */
  credentialsForAssertion(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<AssertionCredentials>;
  /**
   * True when a subject credential of this application and issuer has a subject differing from
   * `subject` only in case. Asked only after nothing matched, to name the mistake (7002138).
   */
  hasCaseInsensitiveSubject(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<boolean>;
  /** The tenant's issuer policy (absent = no policy: every issuer, default limits). */
  issuerPolicy?(tenantId: string): Promise<TenantIssuerPolicy | undefined>;
  /** Ids of the app roles the principal holds on the resource (admin-consented app role assignments). */
  assignedAppRoleIds(tenantId: string, principalId: string, resourceId: string): Promise<ReadonlySet<string>>;
}

/** Verification keys of external issuers, chosen from the issuer's own metadata, never from the token. */
export interface IssuerKeys {
  getVerificationKey(
    issuer: string,
    kid: string | undefined,
    alg: string,
    /** The tenant asking: pinned keys are per tenant. */
    context?: { tenantId: string },
  ): Promise<CryptoKey | import('node:crypto').KeyObject>;
}

export interface AccessTokenSigner {
  /** Signs with the tenant's active key; `kid` (and for v1, `x5t`) go in the header. */
  sign(tenantId: string, claims: Record<string, unknown>, options: { includeX5t: boolean }): Promise<string>;
}

export interface ExchangeSettings {
  /** Public base URL of this credless, no trailing slash. */
  baseUrl: string;
  maxAssertionLength: number;
  clockSkewSeconds: number;
  /** Inclusive range for the randomized access-token lifetime. */
  tokenLifetimeSeconds: { min: number; max: number };
}

/** Checks a client secret against an application's hashed secrets. */
export interface ClientSecretVerifier {
  /** The current (not expired, already started) credential the secret matches; undefined otherwise. */
  verify(
    application: Application,
    secret: string,
    now: number,
  ): Promise<StoredPasswordCredential | undefined>;
}

/**
 * The opt-in reuse window's cache (absent: every exchange signs a fresh token). Called only after every
 * verification step passed, with the key of `tokenReuseKey`.
 */
export interface AccessTokenReuse {
  /**
   * A token remembered under `key` that is still reusable now, or else the result of `mint` (then
   * remembered). Concurrent calls for one key share a single `mint`.
   */
  reuseOrMint(key: string, mint: () => Promise<IssuedAccessToken>): Promise<IssuedAccessToken>;
}

export interface ExchangePorts {
  directory: TokenDirectory;
  tokenReuse?: AccessTokenReuse;
  /** Absent: no client secret ever verifies. */
  clientSecrets?: ClientSecretVerifier;
  issuerKeys: IssuerKeys;
  signer: AccessTokenSigner;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Uniform integer in [min, max]. */
  randomInt: (min: number, max: number) => number;
  newTokenId: () => string;
  settings: ExchangeSettings;
}
