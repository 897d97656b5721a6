/**
 * The store's one post-commit change hook, on SQLite and PostgreSQL. Every method of every repository
 * has a row below saying which change it reports (or none): the method list is read from the store's
 * repositories, so a new method without a row fails here, and a write that bypasses the write runner
 * (or a read that writes) fails its row. The token path's cache follows the same hook.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { type Application, CredlessError, GRAPH_APP_ID, type ServicePrincipal } from '@credless/core';
import { CachedTokenDirectory } from '../../src/directory/cached-token-directory.ts';
import type { ClusterRecord, EmulatedIssuerKey } from '../../src/store/clusters.ts';
import type { DirectoryAggregate, DirectoryChange } from '../../src/store/directory-writes.ts';
import type { KyselyDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import type { SignInLogRecord } from '../../src/store/sign-in-logs.ts';
import { describeEachStore } from './store-suite.ts';

interface Fixture {
  store: KyselyDirectoryStore;
  tenantId: string;
  app: Application;
  sp: ServicePrincipal;
  graphSp: ServicePrincipal;
  graphRoleId: string;
  groupId: string;
  clusterId: string;
  /** A fresh suffix for names that must be unique. */
  n(): string;
}

interface Case {
  /** The aggregate the method reports as changed, or null: not a directory change. */
  change: DirectoryAggregate | null;
  /** Runs before listening (its writes are not counted); returns what `act` needs. */
  arrange?: (fx: Fixture) => Promise<string>;
  act: (fx: Fixture, arranged: string) => Promise<unknown>;
}

const ISSUER = 'https://issuer.example.com';
const key = (kid: string): EmulatedIssuerKey => ({
  kid,
  publicJwk: { kty: 'RSA', n: `n-${kid}`, e: 'AQAB' },
  encryptedPrivateKey: 'eyJ.enc.jwe',
  createdAt: new Date(),
});
const cluster = (tenantId: string, name: string): ClusterRecord => ({
  id: `/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  tenantId,
  subscriptionId: 'sub',
  resourceGroup: 'rg',
  name,
  location: 'local',
  issuerGuid: name,
  issuerUrl: `https://localhost/issuers/${name}/`,
  oidcIssuerEnabled: true,
  workloadIdentityEnabled: true,
  signingKey: key(`k-${name}`),
  createdAt: new Date(),
});
const signingKey = (tenantId: string, kid: string) => ({
  kid,
  tenantId,
  publicJwk: { kty: 'RSA' as const, n: `n-${kid}`, e: 'AQAB' },
  certificate: 'MIIB',
  x5t: `x5t-${kid}`,
  encryptedPrivateKey: 'eyJ.enc.jwe',
  createdAt: new Date(),
  activateAt: new Date(),
  retireAt: new Date(Date.now() + 86_400_000),
  expireAt: new Date(Date.now() + 2 * 86_400_000),
});
const signIn = (tenantId: string): SignInLogRecord => ({
  id: randomUUID(),
  tenantId,
  createdAt: new Date(),
  appId: randomUUID(),
  applicationId: null,
  credentialName: null,
  credentialId: null,
  issuer: ISSUER,
  subject: 'sub',
  audience: 'api://AzureADTokenExchange',
  resource: null,
  result: 'failure',
  errorCode: 'client_not_found',
  aadsts: 700016,
  failedStep: 'findClient',
  clientRequestId: randomUUID(),
  traceId: randomUUID(),
  latencyMs: 1,
});
const consoleCode = (tenantId: string) => ({
  tenantId,
  appId: randomUUID(),
  expiresAt: Date.now() + 300_000,
});
const consoleSession = (tenantId: string) => ({
  id: randomUUID(),
  tenantId,
  appId: randomUUID(),
  displayName: 'operator',
  objectId: randomUUID(),
  rolesAtSignIn: ['Application.Read.All'],
  createdAt: Date.now(),
  expiresAt: Date.now() + 3_600_000,
  lastUsedAt: Date.now(),
});
const secret = (keyId: string) => ({
  keyId,
  displayName: 'ci',
  hint: 'abc',
  startDateTime: '2026-01-01T00:00:00.000Z',
  endDateTime: '2026-01-02T00:00:00.000Z',
  secretHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
});
const fic = (name: string) => ({
  name,
  issuer: ISSUER,
  subject: name,
  audiences: ['api://AzureADTokenExchange'],
});
const roleAssignment = (principalId: string, scope: string) => ({
  scope,
  roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7',
  roleDefinitionGuid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  roleDefinitionName: 'Reader',
  principalId,
  principalType: 'ServicePrincipal' as const,
});
/** A new application with its service principal; returns the principal's object id. */
async function newPrincipal(fx: Fixture): Promise<string> {
  const app = await fx.store.createApplication(fx.tenantId, { displayName: `p${fx.n()}` });
  return (await fx.store.createServicePrincipal(fx.tenantId, { appId: app.appId })).id;
}
const grant = (clientId: string, fx: Fixture) => ({
  clientId,
  resourceId: fx.graphSp.id,
  consentType: 'AllPrincipals' as const,
  scope: 'User.Read',
});

const CASES: Record<string, Case> = {
  // tenants
  createTenant: {
    change: 'tenants',
    act: (fx) => fx.store.createTenant({ defaultDomain: `t${fx.n()}.example`, displayName: 'T' }),
  },
  findTenant: { change: null, act: (fx) => fx.store.findTenant(fx.tenantId) },
  listTenants: { change: null, act: (fx) => fx.store.listTenants() },
  updateTenant: { change: 'tenants', act: (fx) => fx.store.updateTenant(fx.tenantId, { displayName: 'R' }) },
  // applications
  createApplication: {
    change: 'applications',
    act: (fx) => fx.store.createApplication(fx.tenantId, { displayName: 'a' }),
  },
  getApplication: { change: null, act: (fx) => fx.store.getApplication(fx.tenantId, fx.app.id) },
  getApplicationByAppId: {
    change: null,
    act: (fx) => fx.store.getApplicationByAppId(fx.tenantId, fx.app.appId),
  },
  findApplicationByIdentifier: {
    change: null,
    act: (fx) => fx.store.findApplicationByIdentifier(fx.tenantId, fx.app.appId),
  },
  listApplications: { change: null, act: (fx) => fx.store.listApplications(fx.tenantId) },
  updateApplication: {
    change: 'applications',
    act: (fx) => fx.store.updateApplication(fx.tenantId, fx.app.id, { displayName: 'b' }),
  },
  deleteApplication: {
    change: 'applications',
    arrange: async (fx) => (await fx.store.createApplication(fx.tenantId, { displayName: 'gone' })).id,
    act: (fx, id) => fx.store.deleteApplication(fx.tenantId, id),
  },
  // client secrets
  createPasswordCredential: {
    change: 'passwordCredentials',
    act: (fx) => fx.store.createPasswordCredential(fx.tenantId, fx.app.id, secret(randomUUID())),
  },
  deletePasswordCredential: {
    change: 'passwordCredentials',
    arrange: async (fx) => {
      const keyId = randomUUID();
      await fx.store.createPasswordCredential(fx.tenantId, fx.app.id, secret(keyId));
      return keyId;
    },
    act: (fx, keyId) => fx.store.deletePasswordCredential(fx.tenantId, fx.app.id, keyId),
  },
  updateClientSecretPolicy: {
    change: 'passwordCredentials',
    act: (fx) => fx.store.updateClientSecretPolicy(fx.tenantId, null),
  },
  // federated identity credentials
  createFederatedIdentityCredential: {
    change: 'federatedCredentials',
    act: (fx) => fx.store.createFederatedIdentityCredential(fx.tenantId, fx.app.id, fic(`fic-${fx.n()}`)),
  },
  listFederatedIdentityCredentials: {
    change: null,
    act: (fx) => fx.store.listFederatedIdentityCredentials(fx.tenantId, fx.app.id),
  },
  getFederatedIdentityCredential: {
    change: null,
    act: (fx) => fx.store.getFederatedIdentityCredential(fx.tenantId, fx.app.id, 'none'),
  },
  findFederatedIdentityCredentialsByIssuer: {
    change: null,
    act: (fx) => fx.store.findFederatedIdentityCredentialsByIssuer(fx.tenantId, fx.app.id, ISSUER),
  },
  hasFederatedIdentityCredentialForIssuer: {
    change: null,
    act: (fx) => fx.store.hasFederatedIdentityCredentialForIssuer(fx.tenantId, fx.app.id, ISSUER),
  },
  findFederatedIdentityCredentialsForAssertion: {
    change: null,
    act: (fx) => fx.store.findFederatedIdentityCredentialsForAssertion(fx.tenantId, fx.app.id, ISSUER, 's'),
  },
  hasFederatedIdentityCredentialSubjectIgnoringCase: {
    change: null,
    act: (fx) =>
      fx.store.hasFederatedIdentityCredentialSubjectIgnoringCase(fx.tenantId, fx.app.id, ISSUER, 'S'),
  },
  listFederatedIdentityCredentialsForExplanation: {
    change: null,
    act: (fx) => fx.store.listFederatedIdentityCredentialsForExplanation(fx.tenantId, fx.app.id, {}, 5),
  },
  isKnownIssuer: { change: null, act: (fx) => fx.store.isKnownIssuer(ISSUER) },
  deleteFederatedIdentityCredential: {
    change: 'federatedCredentials',
    arrange: async (fx) =>
      (await fx.store.createFederatedIdentityCredential(fx.tenantId, fx.app.id, fic(`fic-${fx.n()}`))).name,
    act: (fx, name) => fx.store.deleteFederatedIdentityCredential(fx.tenantId, fx.app.id, name),
  },
  updateFederatedIdentityCredential: {
    change: 'federatedCredentials',
    arrange: async (fx) =>
      (await fx.store.createFederatedIdentityCredential(fx.tenantId, fx.app.id, fic(`fic-${fx.n()}`))).name,
    act: (fx, name) =>
      fx.store.updateFederatedIdentityCredential(fx.tenantId, fx.app.id, name, { description: 'd' }),
  },
  // service principals
  createServicePrincipal: {
    change: 'servicePrincipals',
    arrange: async (fx) => (await fx.store.createApplication(fx.tenantId, { displayName: 'sp' })).appId,
    act: (fx, appId) => fx.store.createServicePrincipal(fx.tenantId, { appId }),
  },
  getServicePrincipal: { change: null, act: (fx) => fx.store.getServicePrincipal(fx.tenantId, fx.sp.id) },
  getServicePrincipalByAppId: {
    change: null,
    act: (fx) => fx.store.getServicePrincipalByAppId(fx.tenantId, fx.app.appId),
  },
  listServicePrincipals: { change: null, act: (fx) => fx.store.listServicePrincipals(fx.tenantId) },
  deleteServicePrincipal: {
    change: 'servicePrincipals',
    arrange: newPrincipal,
    act: (fx, id) => fx.store.deleteServicePrincipal(fx.tenantId, id),
  },
  updateServicePrincipal: {
    change: 'servicePrincipals',
    act: (fx) => fx.store.updateServicePrincipal(fx.tenantId, fx.sp.id, { accountEnabled: true }),
  },
  // app role assignments
  createAppRoleAssignment: {
    change: 'appRoleAssignments',
    arrange: newPrincipal,
    act: (fx, principalId) =>
      fx.store.createAppRoleAssignment(fx.tenantId, {
        principalId,
        resourceId: fx.graphSp.id,
        appRoleId: fx.graphRoleId,
      }),
  },
  listAppRoleAssignmentsByPrincipal: {
    change: null,
    act: (fx) => fx.store.listAppRoleAssignmentsByPrincipal(fx.tenantId, fx.sp.id),
  },
  listAppRoleAssignmentsByResource: {
    change: null,
    act: (fx) => fx.store.listAppRoleAssignmentsByResource(fx.tenantId, fx.graphSp.id),
  },
  deleteAppRoleAssignment: {
    change: 'appRoleAssignments',
    arrange: async (fx) => {
      const principalId = await newPrincipal(fx);
      const input = { principalId, resourceId: fx.graphSp.id, appRoleId: fx.graphRoleId };
      return (await fx.store.createAppRoleAssignment(fx.tenantId, input)).id;
    },
    act: (fx, id) => fx.store.deleteAppRoleAssignment(fx.tenantId, id),
  },
  // delegated permission grants
  createOAuth2PermissionGrant: {
    change: 'oauth2PermissionGrants',
    arrange: newPrincipal,
    act: (fx, clientId) => fx.store.createOAuth2PermissionGrant(fx.tenantId, grant(clientId, fx)),
  },
  listOAuth2PermissionGrants: { change: null, act: (fx) => fx.store.listOAuth2PermissionGrants(fx.tenantId) },
  getOAuth2PermissionGrant: {
    change: null,
    act: (fx) => fx.store.getOAuth2PermissionGrant(fx.tenantId, 'x'),
  },
  updateOAuth2PermissionGrantScope: {
    change: 'oauth2PermissionGrants',
    arrange: async (fx) =>
      (await fx.store.createOAuth2PermissionGrant(fx.tenantId, grant(await newPrincipal(fx), fx))).id,
    act: (fx, id) => fx.store.updateOAuth2PermissionGrantScope(fx.tenantId, id, 'User.Read Mail.Read'),
  },
  deleteOAuth2PermissionGrant: {
    change: 'oauth2PermissionGrants',
    arrange: async (fx) =>
      (await fx.store.createOAuth2PermissionGrant(fx.tenantId, grant(await newPrincipal(fx), fx))).id,
    act: (fx, id) => fx.store.deleteOAuth2PermissionGrant(fx.tenantId, id),
  },
  // groups
  createGroup: {
    change: 'groups',
    act: (fx) => fx.store.createGroup(fx.tenantId, { displayName: 'g', mailNickname: `g${fx.n()}` }),
  },
  updateGroup: {
    change: 'groups',
    act: (fx) => fx.store.updateGroup(fx.tenantId, fx.groupId, { description: 'd' }),
  },
  getGroup: { change: null, act: (fx) => fx.store.getGroup(fx.tenantId, fx.groupId) },
  listGroups: { change: null, act: (fx) => fx.store.listGroups(fx.tenantId) },
  deleteGroup: {
    change: 'groups',
    arrange: async (fx) =>
      (await fx.store.createGroup(fx.tenantId, { displayName: 'g', mailNickname: `g${fx.n()}` })).id,
    act: (fx, id) => fx.store.deleteGroup(fx.tenantId, id),
  },
  createGroupMember: {
    change: 'groups',
    arrange: newPrincipal,
    act: (fx, memberId) => fx.store.createGroupMember(fx.tenantId, fx.groupId, memberId),
  },
  deleteGroupMember: {
    change: 'groups',
    arrange: async (fx) => {
      const memberId = await newPrincipal(fx);
      await fx.store.createGroupMember(fx.tenantId, fx.groupId, memberId);
      return memberId;
    },
    act: (fx, memberId) => fx.store.deleteGroupMember(fx.tenantId, fx.groupId, memberId),
  },
  listGroupMembers: { change: null, act: (fx) => fx.store.listGroupMembers(fx.tenantId, fx.groupId) },
  listGroupIdsOfMembers: {
    change: null,
    act: (fx) => fx.store.listGroupIdsOfMembers(fx.tenantId, [fx.sp.id]),
  },
  // issuer policy
  getIssuerPolicy: { change: null, act: (fx) => fx.store.getIssuerPolicy(fx.tenantId) },
  updateIssuerPolicy: {
    change: 'issuerPolicies',
    act: (fx) => fx.store.updateIssuerPolicy(fx.tenantId, { mode: 'audit' }),
  },
  upsertTrustedIssuer: {
    change: 'issuerPolicies',
    act: (fx) =>
      fx.store.upsertTrustedIssuer(fx.tenantId, { issuer: `https://trusted${fx.n()}.example.com` }),
  },
  deleteTrustedIssuer: {
    change: 'issuerPolicies',
    arrange: async (fx) =>
      (await fx.store.upsertTrustedIssuer(fx.tenantId, { issuer: `https://trusted${fx.n()}.example.com` }))
        .issuer,
    act: (fx, issuer) => fx.store.deleteTrustedIssuer(fx.tenantId, issuer),
  },
  // signing keys
  insertSigningKey: {
    change: 'signingKeys',
    act: (fx) => fx.store.insertSigningKey(signingKey(fx.tenantId, fx.n())),
  },
  listSigningKeys: { change: null, act: (fx) => fx.store.listSigningKeys(fx.tenantId) },
  deleteSigningKey: {
    change: 'signingKeys',
    arrange: async (fx) => {
      const kid = `k${fx.n()}`;
      await fx.store.insertSigningKey(signingKey(fx.tenantId, kid));
      return kid;
    },
    act: (fx, kid) => fx.store.deleteSigningKey(fx.tenantId, kid),
  },
  // local clusters and emulated issuer keys
  createCluster: {
    change: 'clusters',
    act: (fx) => fx.store.createCluster(cluster(fx.tenantId, `c${fx.n()}`)),
  },
  getCluster: { change: null, act: (fx) => fx.store.getCluster(fx.tenantId, 'rg', 'base') },
  listClusters: { change: null, act: (fx) => fx.store.listClusters(fx.tenantId) },
  findClusterByIssuer: { change: null, act: (fx) => fx.store.findClusterByIssuer('https://localhost/x/') },
  deleteCluster: {
    change: 'clusters',
    arrange: async (fx) => (await fx.store.createCluster(cluster(fx.tenantId, `c${fx.n()}`))).cluster.name,
    act: (fx, name) => fx.store.deleteCluster(fx.tenantId, 'rg', name),
  },
  setClusterArmProfile: {
    change: 'clusters',
    act: (fx) => fx.store.setClusterArmProfile(fx.tenantId, fx.clusterId, { tags: { a: 'b' } }),
  },
  getEmulatedIssuerKey: { change: null, act: (fx) => fx.store.getEmulatedIssuerKey('github-actions') },
  insertEmulatedIssuerKey: {
    change: 'clusters',
    act: (fx) => fx.store.insertEmulatedIssuerKey(`issuer-${fx.n()}`, key(fx.n())),
  },
  getClusterApiPort: { change: null, act: (fx) => fx.store.getClusterApiPort(fx.clusterId) },
  // Where a listener runs is not a directory change.
  setClusterApiPort: { change: null, act: (fx) => fx.store.setClusterApiPort(fx.clusterId, 40_000) },
  // Azure RBAC role assignments
  createRoleAssignment: {
    change: 'roleAssignments',
    act: (fx) =>
      fx.store.createRoleAssignment(fx.tenantId, roleAssignment(fx.sp.id, `/subscriptions/s${fx.n()}`)),
  },
  listRoleAssignments: { change: null, act: (fx) => fx.store.listRoleAssignments(fx.tenantId) },
  deleteRoleAssignment: {
    change: 'roleAssignments',
    arrange: async (fx) => {
      const input = roleAssignment(fx.sp.id, `/subscriptions/s${fx.n()}`);
      return (await fx.store.createRoleAssignment(fx.tenantId, input)).assignment.id;
    },
    act: (fx, id) => fx.store.deleteRoleAssignment(fx.tenantId, id),
  },
  putResourceGroup: {
    change: 'resourceGroups',
    act: (fx) =>
      fx.store.putResourceGroup(fx.tenantId, 'sub', { name: `rg${fx.n()}`, location: 'westeurope' }),
  },
  getResourceGroup: { change: null, act: (fx) => fx.store.getResourceGroup(fx.tenantId, 'sub', 'rg') },
  listResourceGroups: { change: null, act: (fx) => fx.store.listResourceGroups(fx.tenantId, 'sub') },
  deleteResourceGroup: {
    change: 'resourceGroups',
    arrange: async (fx) => {
      const name = `rg${fx.n()}`;
      await fx.store.putResourceGroup(fx.tenantId, 'sub', { name, location: 'westeurope' });
      return name;
    },
    act: (fx, name) => fx.store.deleteResourceGroup(fx.tenantId, 'sub', name),
  },
  // sign-in records: never directory changes
  insertSignInLogs: { change: null, act: (fx) => fx.store.insertSignInLogs([signIn(fx.tenantId)]) },
  querySignInLogs: { change: null, act: (fx) => fx.store.querySignInLogs({ tenantId: fx.tenantId }) },
  deleteSignInLogsBefore: { change: null, act: (fx) => fx.store.deleteSignInLogsBefore(new Date()) },
  // console sign-in codes and sessions: operator state, not the directory (no cache or replica cares)
  insertConsoleSignInCode: {
    change: null,
    act: (fx) => fx.store.insertConsoleSignInCode(`code-${fx.n()}`, consoleCode(fx.tenantId), Date.now()),
  },
  takeConsoleSignInCode: {
    change: null,
    arrange: async (fx) => {
      const digest = `code-${fx.n()}`;
      await fx.store.insertConsoleSignInCode(digest, consoleCode(fx.tenantId), Date.now());
      return digest;
    },
    act: (fx, digest) => fx.store.takeConsoleSignInCode(digest),
  },
  insertConsoleSession: {
    change: null,
    act: (fx) => fx.store.insertConsoleSession(`cookie-${fx.n()}`, consoleSession(fx.tenantId)),
  },
  findConsoleSession: { change: null, act: (fx) => fx.store.findConsoleSession('no-such-cookie') },
  touchConsoleSession: {
    change: null,
    arrange: async (fx) => {
      const session = consoleSession(fx.tenantId);
      await fx.store.insertConsoleSession(`cookie-${fx.n()}`, session);
      return session.id;
    },
    act: (fx, id) => fx.store.touchConsoleSession(id, Date.now()),
  },
  listConsoleSessions: { change: null, act: (fx) => fx.store.listConsoleSessions(fx.tenantId) },
  deleteConsoleSession: {
    change: null,
    arrange: async (fx) => {
      const session = consoleSession(fx.tenantId);
      await fx.store.insertConsoleSession(`cookie-${fx.n()}`, session);
      return session.id;
    },
    act: (fx, id) => fx.store.deleteConsoleSession(id),
  },
};

await describeEachStore('the post-commit change hook', (target) => {
  async function fixture(): Promise<Fixture> {
    const store = await target.openStore();
    let counter = 0;
    const n = () => String(++counter);
    const tenantId = (await store.createTenant({ defaultDomain: 'hook.example', displayName: 'Hook' })).id;
    const app = await store.createApplication(tenantId, { displayName: 'app' });
    const sp = await store.createServicePrincipal(tenantId, { appId: app.appId });
    const graphSp = await store.getServicePrincipalByAppId(tenantId, GRAPH_APP_ID);
    const graphRoleId = (await store.getApplicationByAppId(tenantId, GRAPH_APP_ID))?.appRoles[0]?.id;
    assert.ok(graphSp && graphRoleId);
    const groupId = (await store.createGroup(tenantId, { displayName: 'g', mailNickname: 'base' })).id;
    const clusterId = (await store.createCluster(cluster(tenantId, 'base'))).cluster.id;
    return { store, tenantId, app, sp, graphSp, graphRoleId, groupId, clusterId, n };
  }

  test('every repository method has a row here, and every row names a method', async () => {
    const { store } = await fixture();
    const methods = Object.values(store.repositories).flatMap((repository) => Object.keys(repository));
    assert.ok(methods.length > 60, `read ${methods.length} methods from the repositories`);
    assert.deepEqual(
      methods.filter((method) => !(method in CASES)),
      [],
      'methods without a row: add one saying which change it reports',
    );
    assert.deepEqual(
      Object.keys(CASES).filter((method) => !methods.includes(method)),
      [],
      'rows naming no method',
    );
  });

  test('each write reports its aggregate once, after commit, and the token cache drops; reads and sign-in records report nothing', async () => {
    const fx = await fixture();
    const directory = new CachedTokenDirectory(fx.store);
    directory.followWrites(fx.store);
    let invalidations = 0;
    directory.onInvalidate(() => {
      invalidations += 1;
    });
    const changes: DirectoryChange[] = [];
    fx.store.onDirectoryChange((change) => {
      changes.push(change);
    });
    for (const [repository, methods] of Object.entries(fx.store.repositories)) {
      for (const method of Object.keys(methods)) {
        const row = CASES[method];
        assert.ok(row, `no row for ${method}`);
        const arranged = row.arrange ? await row.arrange(fx) : '';
        changes.length = 0;
        invalidations = 0;
        const version = await fx.store.getDirectoryVersion();
        await row.act(fx, arranged);
        const after = await fx.store.getDirectoryVersion();
        // A change carries the version its write committed: the one the store now reports.
        const expected = row.change === null ? [] : [{ aggregate: row.change, version: after }];
        assert.deepEqual(changes, expected, `${repository}.${method}`);
        assert.equal(invalidations, expected.length, `${repository}.${method}: token cache invalidations`);
        assert.equal(
          after > version,
          row.change !== null,
          `${repository}.${method}: directory version bumped`,
        );
      }
    }
  });

  test('a failed write is rolled back and reports nothing', async () => {
    const fx = await fixture();
    const changes: DirectoryChange[] = [];
    fx.store.onDirectoryChange((change) => {
      changes.push(change);
    });
    const version = await fx.store.getDirectoryVersion();
    // Each fails inside the write transaction, after the version bump.
    const failing = [
      () => fx.store.createTenant({ defaultDomain: 'hook.example', displayName: 'Again' }),
      () => fx.store.createApplication(fx.tenantId, { displayName: 'dup', appId: fx.app.appId }),
      () => fx.store.updateApplication(fx.tenantId, randomUUID(), { displayName: 'nobody' }),
      () => fx.store.deleteGroup(fx.tenantId, randomUUID()),
      () => fx.store.createGroupMember(fx.tenantId, fx.groupId, randomUUID()),
    ];
    for (const write of failing) await assert.rejects(write(), CredlessError);
    assert.deepEqual(changes, []);
    assert.equal(await fx.store.getDirectoryVersion(), version);
  });

  test('a failing listener does not fail the committed write; unsubscribing stops delivery', async () => {
    const fx = await fixture();
    const seen: string[] = [];
    const stopFailing = fx.store.onDirectoryChange(() => {
      throw new Error('listener bug');
    });
    const stop = fx.store.onDirectoryChange((change) => {
      seen.push(change.aggregate);
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      await fx.store.updateTenant(fx.tenantId, { displayName: 'Still written' });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal((await fx.store.findTenant(fx.tenantId))?.displayName, 'Still written');
    assert.deepEqual(seen, ['tenants']);
    assert.ok(
      warnings.some((message) => message.includes('listener bug')),
      'the failure is reported',
    );
    stopFailing();
    stop();
    await fx.store.updateTenant(fx.tenantId, { displayName: 'Unheard' });
    assert.deepEqual(seen, ['tenants']);
  });
});
