/**
 * `apply --prune` never deletes what credless's own local platforms created — a registry
 * (`acr create`), a cluster's kubelet identity (`cluster update --attach-acr`), an identity of the
 * emulated GitHub Actions (the sample's deployer) — nor the local administrator or its principal,
 * while an ordinary application missing from the file is deleted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { attachRegistry, createLocalCluster, createRegistry } from '@credless/platforms';
import { ADMIN_APP_NAME } from '@credless/server';
import { startTestCredless, type TestCredless } from '@credless/testkit';
import type { DirectoryState } from '../../src/declarative/directory-api.ts';
import { readDirectoryState } from '../../src/declarative/directory-api.ts';
import { parseIdentityFile } from '../../src/declarative/load.ts';
import { isLocalPlatformIdentity } from '../../src/declarative/local-platform.ts';
import { plan } from '../../src/declarative/plan.ts';
import { renderAction, renderPlan } from '../../src/declarative/render.ts';
import { inProcessDirectory } from '../support/in-process-directory.ts';

type App = DirectoryState['applications'][number];
const app = (identifierUris: string[], issuers: string[] = []): App => ({
  id: 'obj',
  appId: 'app',
  displayName: 'x',
  identifierUris,
  appRoles: [],
  requiredResourceAccess: [],
  api: { requestedAccessTokenVersion: null },
  federatedIdentityCredentials: issuers.map((issuer, i) => ({
    id: `fic-${i}`,
    name: `fic-${i}`,
    issuer,
    subject: 'repo:contoso/app:ref:refs/heads/main',
    claimsMatchingExpression: null,
    audiences: ['api://AzureADTokenExchange'],
    description: null,
  })),
});

describe('prune and credless-created identities', () => {
  const cases: Array<[string, App, boolean]> = [
    ['kubelet identity', app(['api://credless/clusters/0f1e/kubelet']), true],
    ['registry', app(['https://acrdevcredless.azurecr.io']), true],
    ['emulated GitHub Actions deployer', app([], ['https://localhost:8443/github-actions']), true],
    ['… with a trailing slash', app([], ['https://localhost:8443/github-actions/']), true],
    ['real GitHub Actions', app([], ['https://token.actions.githubusercontent.com']), false],
    ['an API of the user', app(['api://orders-api']), false],
    ['a look-alike registry host', app(['https://acr.azurecr.io.evil.test']), false],
    ['an unparsable issuer', app([], ['not a url']), false],
  ];
  for (const [name, candidate, expected] of cases)
    test(`recognised: ${name} → ${expected}`, () =>
      assert.equal(isLocalPlatformIdentity(candidate), expected));

  let credless: TestCredless;
  before(async () => {
    credless = await startTestCredless();
  });
  after(() => credless.close());

  test('plan --prune against a directory set up by the local platforms deletes only the user application', async () => {
    const { store, tenantId } = credless;
    const ctx = { store, tenantId };
    const { cluster } = await createLocalCluster(
      { store, kek: new Uint8Array(randomBytes(32)) },
      { tenantId, baseUrl: credless.url, resourceGroup: 'rg-dev-aks', name: 'dev-aks' },
    );
    await createRegistry(ctx, 'acrdevcredless');
    const attached = await attachRegistry(ctx, cluster, 'acrdevcredless');
    const deployer = await store.createApplication(tenantId, { displayName: 'github-actions-credless-aks' });
    await store.createFederatedIdentityCredential(tenantId, deployer.id, {
      name: 'github-main',
      issuer: `${credless.url}/github-actions`,
      subject: 'repo:credless-demo/credless-in-azure-samples:ref:refs/heads/main',
      audiences: ['api://AzureADTokenExchange'],
    });
    await store.createApplication(tenantId, { displayName: 'leftover' });

    const api = await inProcessDirectory(credless);
    const state = await readDirectoryState(api);
    for (const name of [
      'acrdevcredless',
      'dev-aks-agentpool',
      'github-actions-credless-aks',
      ADMIN_APP_NAME,
    ]) {
      const found = state.applications.find((candidate) => candidate.displayName === name);
      assert.ok(found && state.protectedAppIds.includes(found.appId), name);
    }
    assert.equal(
      attached.identityProfile.kubeletidentity.clientId,
      state.applications.find((a) => a.displayName === 'dev-aks-agentpool')?.appId,
    );

    // The file names the administrator without a service principal or permissions: its principal and
    // Graph roles stay all the same.
    const file = parseIdentityFile(
      `apiVersion: credless.dev/v1\napplications:\n  - { displayName: ${ADMIN_APP_NAME}, servicePrincipal: false }\n  - displayName: mine\n`,
      'identity.yaml',
      {},
    );
    const pruning = plan(file, state, { prune: true });
    const deletes = pruning.actions
      .filter((action) => action.op === 'delete')
      .map((action) => renderAction(action));
    assert.deepEqual(deletes, ['- delete application "leftover"']);
    // The plan says what it keeps and why (the administrator is in the file here, so not listed).
    assert.deepEqual(pruning.keptPlatformIdentities, [
      'acrdevcredless',
      'dev-aks-agentpool',
      'github-actions-credless-aks',
    ]);
    assert.match(
      renderPlan(pruning, { prune: true }),
      /^Kept \(created by credless's local platforms, never pruned\): "acrdevcredless", "dev-aks-agentpool", "github-actions-credless-aks"\.$/m,
    );
    // Without --prune nothing would be deleted anyway: no such line.
    assert.doesNotMatch(renderPlan(plan(file, state)), /^Kept/m);

    // A file that names a platform identity without its credential adds to it, never removes the
    // credential that signs it in (and marks it as credless's own).
    const naming = parseIdentityFile(
      'apiVersion: credless.dev/v1\napplications:\n  - displayName: github-actions-credless-aks\n',
      'identity.yaml',
      {},
    );
    const renamed = plan(naming, state, { prune: true });
    assert.deepEqual(
      renamed.actions.filter((action) => action.op === 'delete').map((action) => renderAction(action)),
      ['- delete application "leftover"'],
    );
  });
});
