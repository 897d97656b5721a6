import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from './store-suite.ts';

const START = Date.UTC(2026, 0, 1);
const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const ORG = "claims['sub'] matches 'repo:contoso/*'";

await describeEachStore('token-path credential lookup by assertion', (target) => {
  async function setup() {
    let now = START;
    const store = await target.openStore({ now: () => (now += 1000) });
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const app = await store.createApplication(tenant.id, { displayName: 'deployer' });
    const other = await store.createApplication(tenant.id, { displayName: 'other' });
    const add = (
      appId: string,
      name: string,
      fields: { issuer?: string; subject?: string; expression?: string },
    ) =>
      store.createFederatedIdentityCredential(tenant.id, appId, {
        name,
        issuer: fields.issuer ?? GITHUB,
        ...(fields.subject !== undefined ? { subject: fields.subject } : {}),
        ...(fields.expression !== undefined
          ? { claimsMatchingExpression: { value: fields.expression, languageVersion: 1 } }
          : {}),
      });
    return { store, tenantId: tenant.id, appId: app.id, otherId: other.id, add };
  }

  test('returns only the exact subject and the issuer’s expressions', async () => {
    const { store, tenantId, appId, otherId, add } = await setup();
    const main = await add(appId, 'main', { subject: 'repo:contoso/web:ref:refs/heads/main' });
    await add(appId, 'dev', { subject: 'repo:contoso/web:ref:refs/heads/dev' });
    await add(appId, 'gitlab', { issuer: GITLAB, subject: 'project_path:contoso/web' });
    const flexible = await add(appId, 'flexible', { expression: ORG });
    await add(otherId, 'elsewhere', { subject: 'repo:contoso/web:ref:refs/heads/main' });

    assert.deepEqual(
      await store.findFederatedIdentityCredentialsForAssertion(tenantId, appId, GITHUB, main.subject ?? ''),
      { exact: [main], expressions: [flexible] },
    );
    // Exact means exact: no case folding, no prefix matching.
    assert.deepEqual(
      await store.findFederatedIdentityCredentialsForAssertion(
        tenantId,
        appId,
        GITHUB,
        'repo:Contoso/web:ref:refs/heads/main',
      ),
      { exact: [], expressions: [flexible] },
    );
    assert.deepEqual(
      await store.findFederatedIdentityCredentialsForAssertion(tenantId, otherId, GITLAB, 'x'),
      { exact: [], expressions: [] },
    );
  });

  test('issuer probe and case-insensitive subject probe', async () => {
    const { store, tenantId, appId, otherId, add } = await setup();
    await add(appId, 'main', { subject: 'repo:contoso/web:ref:refs/heads/main' });
    await add(appId, 'flexible', { expression: ORG });
    assert.equal(await store.hasFederatedIdentityCredentialForIssuer(tenantId, appId, GITHUB), true);
    assert.equal(await store.hasFederatedIdentityCredentialForIssuer(tenantId, appId, GITLAB), false);
    assert.equal(await store.hasFederatedIdentityCredentialForIssuer(tenantId, otherId, GITHUB), false);

    const probe = (appId: string, issuer: string, subject: string) =>
      store.hasFederatedIdentityCredentialSubjectIgnoringCase(tenantId, appId, issuer, subject);
    assert.equal(await probe(appId, GITHUB, 'REPO:Contoso/WEB:ref:refs/heads/main'), true);
    assert.equal(await probe(appId, GITHUB, 'repo:contoso/web:ref:refs/heads/dev'), false);
    assert.equal(await probe(appId, GITLAB, 'repo:contoso/web:ref:refs/heads/main'), false);
    assert.equal(await probe(otherId, GITHUB, 'repo:contoso/web:ref:refs/heads/main'), false);
  });
});
