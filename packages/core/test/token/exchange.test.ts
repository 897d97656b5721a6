/**
 * The token exchange end to end over in-memory ports (the core's own ports, so in-memory adapters are
 * the real thing here). Assertions are real JWTs signed with keys made in the test.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type CryptoKey, generateKeyPair, SignJWT } from 'jose';
import type {
  Application,
  AppRole,
  FederatedIdentityCredential,
  ServicePrincipal,
  Tenant,
} from '../../src/directory/types.ts';
import { CredlessError } from '../../src/errors/index.ts';
import { exchangeClientAssertion, type TokenExchangeInput } from '../../src/token/exchange.ts';
import type { ExchangePorts, TokenDirectory } from '../../src/token/exchange-ports.ts';
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/token/token-request.ts';

const NOW_S = 1_780_000_000;
const BASE_URL = 'https://credless.test';
const ISSUER = 'https://oidc.cluster.example';
const SUBJECT = 'system:serviceaccount:payments:worker';
const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const CREATED = '2026-01-01T00:00:00.000Z';

const role = (id: string, value: string, isEnabled = true): AppRole => ({
  id,
  value,
  displayName: value,
  description: value,
  allowedMemberTypes: ['Application'],
  isEnabled,
  origin: 'Application',
});
const ROLES = {
  read: role('r-read', 'Orders.Read'),
  write: role('r-write', 'Orders.Write'),
  old: role('r-old', 'Orders.Legacy', false),
};

interface World {
  tenant: Tenant;
  applications: Application[];
  principals: ServicePrincipal[];
  credentials: FederatedIdentityCredential[];
  assignments: Array<{ principalId: string; resourceId: string; appRoleId: string }>;
}

const app = (
  id: string,
  appId: string,
  displayName: string,
  extra: Partial<Application> = {},
): Application => ({
  id,
  tenantId: 'tenant-1',
  appId,
  displayName,
  identifierUris: [],
  appRoles: [],
  requiredResourceAccess: [],
  accessTokenAcceptedVersion: null,
  builtIn: false,
  createdDateTime: CREATED,
  ...extra,
});
const principal = (id: string, application: Application): ServicePrincipal => ({
  id,
  tenantId: 'tenant-1',
  appId: application.appId,
  applicationId: application.id,
  displayName: application.displayName,
  accountEnabled: true,
  appRoleAssignmentRequired: false,
  createdDateTime: CREATED,
});

/** A tenant with a client (worker), a v2 resource (orders-api) and the built-in Graph (v1). */
function makeWorld(): World {
  const worker = app('app-worker', 'appid-worker', 'payments-worker');
  const orders = app('app-orders', 'appid-orders', 'orders-api', {
    identifierUris: ['api://orders'],
    appRoles: [ROLES.read, ROLES.write, ROLES.old],
    accessTokenAcceptedVersion: 2,
  });
  const graph = app('app-graph', '00000003-0000-0000-c000-000000000000', 'Microsoft Graph', {
    identifierUris: ['https://graph.microsoft.com'],
    builtIn: true,
  });
  return {
    tenant: {
      id: 'tenant-1',
      defaultDomain: 'contoso.credless.local',
      displayName: 'Contoso',
      createdDateTime: CREATED,
    },
    applications: [worker, orders, graph],
    principals: [
      principal('sp-worker', worker),
      principal('sp-orders', orders),
      principal('sp-graph', graph),
    ],
    credentials: [
      {
        id: 'fic-1',
        tenantId: 'tenant-1',
        applicationId: 'app-worker',
        name: 'payments-worker',
        issuer: ISSUER,
        subject: SUBJECT,
        claimsMatchingExpression: null,
        audiences: [EXCHANGE_AUDIENCE],
        description: null,
        createdDateTime: CREATED,
      },
    ],
    assignments: [
      { principalId: 'sp-worker', resourceId: 'sp-orders', appRoleId: ROLES.read.id },
      { principalId: 'sp-worker', resourceId: 'sp-orders', appRoleId: ROLES.old.id },
    ],
  };
}

function directoryOf(world: World): TokenDirectory {
  const inTenant = (tenantId: string) => tenantId === world.tenant.id;
  const withPrincipal = (application: Application | undefined) =>
    application && {
      application,
      servicePrincipal: world.principals.find((sp) => sp.appId === application.appId),
    };
  return {
    findTenant: async (key) =>
      key === world.tenant.id || key.toLowerCase() === world.tenant.defaultDomain ? world.tenant : undefined,
    findClient: async (tenantId, appId) =>
      inTenant(tenantId) ? withPrincipal(world.applications.find((a) => a.appId === appId)) : undefined,
    findResource: async (tenantId, id) =>
      inTenant(tenantId)
        ? withPrincipal(world.applications.find((a) => a.appId === id || a.identifierUris.includes(id)))
        : undefined,
    hasCredentialsForIssuer: async (tenantId, applicationId, issuer) =>
      world.credentials.some(
        (c) => inTenant(tenantId) && c.applicationId === applicationId && c.issuer === issuer,
      ),
    credentialsForAssertion: async (tenantId, applicationId, issuer, subject) => {
      const sameIssuer = world.credentials.filter(
        (c) => inTenant(tenantId) && c.applicationId === applicationId && c.issuer === issuer,
      );
      return {
        exact: sameIssuer.filter((c) => c.subject !== null && c.subject === subject),
        expressions: sameIssuer.filter((c) => c.subject === null),
      };
    },
    hasCaseInsensitiveSubject: async (tenantId, applicationId, issuer, subject) =>
      world.credentials.some(
        (c) =>
          inTenant(tenantId) &&
          c.applicationId === applicationId &&
          c.issuer === issuer &&
          c.subject?.toLowerCase() === subject.toLowerCase(),
      ),
    assignedAppRoleIds: async (tenantId, principalId, resourceId) =>
      new Set(
        world.assignments
          .filter((a) => inTenant(tenantId) && a.principalId === principalId && a.resourceId === resourceId)
          .map((a) => a.appRoleId),
      ),
  };
}

interface Harness {
  world: World;
  ports: ExchangePorts;
  signed: Array<{ tenantId: string; claims: Record<string, unknown>; includeX5t: boolean }>;
  keyLookups: Array<{ issuer: string; kid: string | undefined; alg: string }>;
}

let issuerKeys: { privateKey: CryptoKey; publicKey: CryptoKey };
let otherKeys: { privateKey: CryptoKey; publicKey: CryptoKey };
let ecKeys: { privateKey: CryptoKey; publicKey: CryptoKey };
before(async () => {
  issuerKeys = await generateKeyPair('RS256');
  otherKeys = await generateKeyPair('RS256');
  ecKeys = await generateKeyPair('ES256');
});

function harness(change: (world: World) => void = () => {}): Harness {
  const world = makeWorld();
  change(world);
  const signed: Harness['signed'] = [];
  const keyLookups: Harness['keyLookups'] = [];
  const ports: ExchangePorts = {
    directory: directoryOf(world),
    issuerKeys: {
      getVerificationKey: async (issuer, kid, alg) => {
        keyLookups.push({ issuer, kid, alg });
        if (issuer !== ISSUER || kid !== 'issuer-key-1')
          throw new CredlessError('signing_key_not_found', { kid, issuer });
        return issuerKeys.publicKey;
      },
    },
    signer: {
      sign: async (tenantId, claims, { includeX5t }) => {
        signed.push({ tenantId, claims, includeX5t });
        return `signed-token-${signed.length}`;
      },
    },
    now: () => NOW_S * 1000 + 250,
    randomInt: (min, max) => {
      assert.deepEqual([min, max], [3600, 5400]);
      return 4000;
    },
    newTokenId: () => 'uti-fixed',
    settings: {
      baseUrl: BASE_URL,
      maxAssertionLength: 16 * 1024,
      clockSkewSeconds: 30,
      tokenLifetimeSeconds: { min: 3600, max: 5400 },
    },
  };
  return { world, ports, signed, keyLookups };
}

interface AssertionOptions {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  key?: CryptoKey;
}
async function assertion(options: AssertionOptions = {}): Promise<string> {
  const claims = {
    iss: ISSUER,
    sub: SUBJECT,
    aud: [EXCHANGE_AUDIENCE],
    iat: NOW_S - 10,
    exp: NOW_S + 3600,
    ...options.claims,
  };
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key-1', ...options.header } as { alg: string })
    .sign(options.key ?? issuerKeys.privateKey);
}

function input(
  token: string,
  changes: Record<string, string | undefined> = {},
  version: 'v1' | 'v2' = 'v2',
): TokenExchangeInput {
  const params: Record<string, string | undefined> = {
    grant_type: 'client_credentials',
    client_id: 'appid-worker',
    scope: 'api://orders/.default',
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: token,
    ...changes,
  };
  return {
    tenant: 'tenant-1',
    version,
    params: new Map(
      Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  };
}

describe('exchangeClientAssertion: issuing', () => {
  test('v2 resource: a token whose claims come from the directory', async () => {
    const h = harness();
    const outcome = await exchangeClientAssertion(input(await assertion()), h.ports);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.failedStep, undefined);
    assert.deepEqual(outcome.issued, {
      accessToken: 'signed-token-1',
      tokenVersion: 2,
      expiresIn: 4000,
      expiresOn: NOW_S + 4000,
      notBefore: NOW_S,
      resource: 'api://orders',
    });
    assert.equal(h.signed.length, 1);
    assert.deepEqual(h.signed[0], {
      tenantId: 'tenant-1',
      includeX5t: false,
      claims: {
        aud: 'appid-orders',
        iss: `${BASE_URL}/tenant-1/v2.0`,
        iat: NOW_S,
        nbf: NOW_S,
        exp: NOW_S + 4000,
        azp: 'appid-worker',
        azpacr: '2',
        idtyp: 'app',
        oid: 'sp-worker',
        sub: 'sp-worker',
        roles: ['Orders.Read'], // Orders.Legacy is assigned but disabled
        tid: 'tenant-1',
        uti: 'uti-fixed',
        ver: '2.0',
      },
    });
    assert.equal(outcome.context.credential?.id, 'fic-1');
    assert.deepEqual(h.keyLookups, [{ issuer: ISSUER, kid: 'issuer-key-1', alg: 'RS256' }]);
  });

  test('v1 resource (Graph, no roles held): v1 claims, aud as requested, x5t requested, roles omitted', async () => {
    const h = harness();
    const outcome = await exchangeClientAssertion(
      input(await assertion(), { scope: 'https://graph.microsoft.com/.default' }),
      h.ports,
    );
    assert.equal(outcome.issued?.tokenVersion, 1);
    assert.equal(outcome.issued?.resource, 'https://graph.microsoft.com');
    const { claims, includeX5t } = h.signed[0] ?? assert.fail('not signed');
    assert.equal(includeX5t, true);
    assert.equal(claims['aud'], 'https://graph.microsoft.com');
    assert.equal(claims['iss'], `${BASE_URL}/tenant-1/`);
    assert.equal(claims['appid'], 'appid-worker');
    assert.equal(claims['app_displayname'], 'payments-worker');
    assert.equal('roles' in claims, false);
  });

  test('v1 endpoint with resource = the appId; tenant addressed by domain', async () => {
    const h = harness();
    const request = input(await assertion(), { scope: undefined, resource: 'appid-orders' }, 'v1');
    const outcome = await exchangeClientAssertion({ ...request, tenant: 'Contoso.credless.local' }, h.ports);
    assert.equal(outcome.issued?.resource, 'appid-orders');
    assert.equal(h.signed[0]?.claims['aud'], 'appid-orders');
  });

  test("az's double-slash scope resolves the resource without its trailing slash", async () => {
    const h = harness();
    const outcome = await exchangeClientAssertion(
      input(await assertion(), { scope: 'api://orders//.default' }),
      h.ports,
    );
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(outcome.issued?.resource, 'api://orders/');
  });

  test('a resource requiring assignment issues when a role is assigned', async () => {
    const h = harness((world) => {
      world.principals[1]!.appRoleAssignmentRequired = true;
    });
    const outcome = await exchangeClientAssertion(input(await assertion()), h.ports);
    assert.deepEqual(h.signed[0]?.claims['roles'], ['Orders.Read']);
    assert.ok(outcome.issued);
  });

  test('aud as a plain string and several candidate credentials', async () => {
    const h = harness((world) => {
      const base = world.credentials[0]!;
      world.credentials.unshift({
        ...base,
        id: 'fic-0',
        name: 'other',
        subject: 'system:serviceaccount:payments:other',
      });
    });
    const outcome = await exchangeClientAssertion(
      input(await assertion({ claims: { aud: EXCHANGE_AUDIENCE } })),
      h.ports,
    );
    assert.equal(outcome.context.credential?.id, 'fic-1');
    assert.ok(outcome.issued);
  });
});

describe('exchangeClientAssertion: every failing step stops the pipeline', () => {
  const tamper = (token: string) => {
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({
        iss: ISSUER,
        sub: 'system:serviceaccount:kube-system:admin',
        aud: EXCHANGE_AUDIENCE,
        exp: NOW_S + 60,
      }),
    ).toString('base64url');
    return `${header}.${payload}.${signature}`;
  };
  const cases: Array<{
    name: string;
    step: string;
    code: string;
    world?: (world: World) => void;
    token?: () => Promise<string>;
    request?: (token: string) => TokenExchangeInput;
    keyLookups?: number;
  }> = [
    {
      name: 'unknown tenant',
      step: 'resolveTenant',
      code: 'tenant_not_found',
      request: (t) => ({ ...input(t), tenant: 'fabrikam.example' }),
    },
    {
      name: 'grant_type missing',
      step: 'parseRequest',
      code: 'missing_parameter',
      request: (t) => input(t, { grant_type: undefined }),
    },
    {
      name: 'client_secret sent with an assertion',
      step: 'parseRequest',
      code: 'client_authentication_ambiguous',
      request: (t) => input(t, { client_secret: 'x' }),
    },
    {
      name: 'unknown client',
      step: 'resolveClient',
      code: 'client_not_found',
      request: (t) => input(t, { client_id: 'appid-nobody' }),
    },
    {
      name: 'built-in app as client',
      step: 'resolveClient',
      code: 'client_not_found',
      request: (t) => input(t, { client_id: '00000003-0000-0000-c000-000000000000' }),
    },
    {
      name: 'unknown resource',
      step: 'resolveResource',
      code: 'resource_not_found',
      request: (t) => input(t, { scope: 'api://nothing/.default' }),
    },
    {
      name: 'resource without a service principal',
      step: 'resolveResource',
      code: 'resource_not_found',
      world: (w) => {
        w.principals.splice(1, 1);
      },
    },
    {
      name: 'assertion not a JWS',
      step: 'inspectAssertion',
      code: 'assertion_malformed',
      token: async () => 'a.b',
    },
    {
      name: 'assertion with a jwk header',
      step: 'inspectAssertion',
      code: 'assertion_signature_invalid',
      token: () => assertion({ header: { jwk: { kty: 'RSA' } } }),
    },
    {
      name: 'one of our own tokens',
      step: 'refuseOwnTokens',
      code: 'assertion_issued_by_self',
      token: () => assertion({ claims: { iss: `${BASE_URL}/tenant-1/v2.0` } }),
    },
    {
      name: 'issuer not named by any credential',
      step: 'findCandidateCredentials',
      code: 'issuer_no_match',
      token: () => assertion({ claims: { iss: 'https://evil.example' } }),
    },
    {
      name: "another app's credential only",
      step: 'findCandidateCredentials',
      code: 'issuer_no_match',
      world: (w) => {
        w.credentials[0]!.applicationId = 'app-orders';
      },
    },
    {
      name: 'unknown kid',
      step: 'verifySignature',
      code: 'signing_key_not_found',
      token: () => assertion({ header: { kid: 'rotated-away' } }),
      keyLookups: 1,
    },
    {
      name: 'signed by another key',
      step: 'verifySignature',
      code: 'assertion_signature_invalid',
      token: () => assertion({ key: otherKeys.privateKey }),
      keyLookups: 1,
    },
    {
      name: 'payload swapped after signing',
      step: 'verifySignature',
      code: 'assertion_signature_invalid',
      token: async () => tamper(await assertion()),
      keyLookups: 1,
    },
    {
      name: 'ES256 signature against the RSA key',
      step: 'verifySignature',
      code: 'assertion_signature_invalid',
      token: () => assertion({ header: { alg: 'ES256' }, key: ecKeys.privateKey }),
      keyLookups: 1,
    },
    {
      name: 'expired',
      step: 'checkClaims',
      code: 'assertion_time_invalid',
      token: () => assertion({ claims: { exp: NOW_S - 31 } }),
      keyLookups: 1,
    },
    {
      name: 'not yet valid',
      step: 'checkClaims',
      code: 'assertion_time_invalid',
      token: () => assertion({ claims: { nbf: NOW_S + 31 } }),
      keyLookups: 1,
    },
    {
      name: 'no exp',
      step: 'checkClaims',
      code: 'assertion_malformed',
      token: () => assertion({ claims: { exp: undefined } }),
      keyLookups: 1,
    },
    {
      name: 'no sub',
      step: 'checkClaims',
      code: 'assertion_malformed',
      token: () => assertion({ claims: { sub: undefined } }),
      keyLookups: 1,
    },
    {
      name: 'another subject',
      step: 'matchCredential',
      code: 'subject_no_match',
      token: () => assertion({ claims: { sub: 'system:serviceaccount:payments:other' } }),
      keyLookups: 1,
    },
    {
      name: 'subject differing in case',
      step: 'matchCredential',
      code: 'subject_case_mismatch',
      token: () => assertion({ claims: { sub: SUBJECT.toUpperCase() } }),
      keyLookups: 1,
    },
    {
      name: 'another audience',
      step: 'matchCredential',
      code: 'audience_no_match',
      token: () => assertion({ claims: { aud: ['api://something-else'] } }),
      keyLookups: 1,
    },
    {
      name: 'client without a service principal',
      step: 'requireClientPrincipal',
      code: 'client_service_principal_missing',
      world: (w) => {
        w.principals.splice(0, 1);
      },
      keyLookups: 1,
    },
    {
      name: 'disabled client service principal',
      step: 'requireClientPrincipal',
      code: 'client_disabled',
      world: (w) => {
        w.principals[0]!.accountEnabled = false;
      },
      keyLookups: 1,
    },
    {
      name: 'resource requires assignment, none held',
      step: 'collectRoles',
      code: 'role_assignment_required',
      world: (w) => {
        w.principals[1]!.appRoleAssignmentRequired = true;
        w.assignments = [];
      },
      keyLookups: 1,
    },
  ];

  for (const { name, step, code, world, token, request, keyLookups = 0 } of cases) {
    test(`${name} → ${code} at ${step}, nothing signed`, async () => {
      const h = harness(world);
      const presented = await (token ?? (() => assertion()))();
      const outcome = await exchangeClientAssertion(
        (request ?? ((t: string) => input(t)))(presented),
        h.ports,
      );
      assert.equal(outcome.failedStep, step);
      assert.ok(
        outcome.error instanceof CredlessError,
        `expected a CredlessError, got ${String(outcome.error)}`,
      );
      assert.equal(outcome.error.code, code, outcome.error.message);
      assert.equal(outcome.issued, undefined);
      assert.equal(outcome.context.issued, undefined);
      assert.equal(h.signed.length, 0, 'the signer must not be called');
      // Issuer keys are fetched only once the issuer is known to a credential of this client.
      assert.equal(h.keyLookups.length, keyLookups);
    });
  }

  test('an unexpected error is returned, not thrown', async () => {
    const h = harness();
    h.ports.issuerKeys = { getVerificationKey: async () => Promise.reject(new TypeError('socket hang up')) };
    const outcome = await exchangeClientAssertion(input(await assertion()), h.ports);
    assert.equal(outcome.failedStep, 'verifySignature');
    assert.ok(outcome.error instanceof TypeError);
    assert.equal(outcome.issued, undefined);
    assert.equal(h.signed.length, 0);
  });

  test('a signer failure leaves no issued token', async () => {
    const h = harness();
    h.ports.signer = { sign: async () => Promise.reject(new Error('key unavailable')) };
    const outcome = await exchangeClientAssertion(input(await assertion()), h.ports);
    assert.equal(outcome.failedStep, 'mintAccessToken');
    assert.equal(outcome.issued, undefined);
    assert.equal(outcome.context.issued, undefined);
  });
});

describe('exchangeClientAssertion: client secrets', () => {
  const SECRET = 'abcSecretValue';
  const stored = {
    keyId: 'key-1',
    displayName: 'rbac',
    hint: 'abc',
    startDateTime: CREATED,
    endDateTime: '2999-01-01T00:00:00.000Z',
    secretHash: 'not-a-real-hash',
  };
  const secretInput = (secret: string) =>
    input('', { client_assertion: undefined, client_assertion_type: undefined, client_secret: secret });
  /** A verifier that knows one secret; counts its calls. */
  const withVerifier = (h: Harness) => {
    const calls: string[] = [];
    h.ports.clientSecrets = {
      verify: async (_application, secret) => {
        calls.push(secret);
        return secret === SECRET ? stored : undefined;
      },
    };
    return calls;
  };

  const cases: Array<{
    name: string;
    mode?: 'deny' | 'audit' | 'allow';
    secret?: string;
    verifier?: boolean;
    code?: string;
    audit?: 'client_secret';
  }> = [
    { name: 'default policy (audit): issued and flagged', audit: 'client_secret' },
    { name: 'audit: issued and flagged', mode: 'audit', audit: 'client_secret' },
    { name: 'allow: issued, not flagged', mode: 'allow' },
    { name: 'deny: refused before any secret is checked', mode: 'deny', code: 'client_secret_not_supported' },
    { name: 'wrong secret', secret: 'abcWrong', code: 'client_secret_invalid' },
    { name: 'no verifier configured', verifier: false, code: 'client_secret_invalid' },
  ];
  for (const { name, mode, secret = SECRET, verifier = true, code, audit } of cases) {
    test(name, async () => {
      const h = harness((w) => {
        if (mode) w.tenant.clientSecretPolicy = { mode, maxLifetimeSeconds: 86_400 };
      });
      const calls = verifier ? withVerifier(h) : [];
      const outcome = await exchangeClientAssertion(secretInput(secret), h.ports);
      assert.equal(h.keyLookups.length, 0, 'no issuer key is fetched for a secret');
      assert.equal(outcome.context.policyAudit, audit);
      if (code === undefined) {
        assert.ok(outcome.issued, String(outcome.error));
        assert.deepEqual(outcome.context.passwordCredential, { keyId: 'key-1', displayName: 'rbac' });
        // A secret authenticates the client; its roles come from its assignments as for any client.
        assert.deepEqual(outcome.context.roles, ['Orders.Read']);
        return;
      }
      assert.equal(outcome.failedStep, 'verifyClientSecret');
      assert.ok(outcome.error instanceof CredlessError);
      assert.equal(outcome.error.code, code);
      assert.equal(h.signed.length, 0);
      if (mode === 'deny') assert.deepEqual(calls, []);
    });
  }
});
