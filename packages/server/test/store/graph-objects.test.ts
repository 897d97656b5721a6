/**
 * Store support for the Graph-compatible API (migration 0007): groups and members, certificate
 * credentials on applications, federated credential updates and service principal updates — on
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { x509 } from '@credless/common';
import { CredlessError, type ErrorCode } from '@credless/core';
import { describeEachStore } from './store-suite.ts';

const ISSUER = 'https://issuer.example.com';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

async function certificate(): Promise<string> {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: ['store test'] }],
    keys,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
  });
  return Buffer.from(cert.rawData).toString('base64');
}

await describeEachStore('Graph objects in the store', (target) => {
  const setUp = async () => {
    const store = await target.openStore();
    const tenant = await store.createTenant({ defaultDomain: 'contoso.example', displayName: 'Contoso' });
    const other = await store.createTenant({ defaultDomain: 'fabrikam.example', displayName: 'Fabrikam' });
    const app = await store.createApplication(tenant.id, { displayName: 'api' });
    const principal = await store.createServicePrincipal(tenant.id, { appId: app.appId });
    return { store, tenant, other, app, principal };
  };

  test('groups: create, list, get, members (principals and groups), delete', async () => {
    const { store, tenant, other, principal, app } = await setUp();
    const group = await store.createGroup(tenant.id, { displayName: 'admins', mailNickname: 'admins' });
    assert.equal(group.securityEnabled, true);
    assert.equal(group.mailEnabled, false);
    const inner = await store.createGroup(tenant.id, { displayName: 'inner', mailNickname: 'inner' });
    assert.deepEqual((await store.listGroups(tenant.id)).map((g) => g.displayName).sort(), [
      'admins',
      'inner',
    ]);
    assert.deepEqual(await store.listGroups(other.id), []);
    assert.equal(await store.getGroup(other.id, group.id), undefined);

    await store.createGroupMember(tenant.id, group.id, principal.id);
    await store.createGroupMember(tenant.id, group.id, inner.id);
    await rejectsWith(store.createGroupMember(tenant.id, group.id, principal.id), 'group_member_exists');
    await rejectsWith(store.createGroupMember(tenant.id, group.id, group.id), 'invalid_value');
    // Another tenant's objects do not exist here, whichever side they are on.
    await rejectsWith(store.createGroupMember(other.id, group.id, principal.id), 'not_found');
    const foreign = await store.createGroup(other.id, { displayName: 'f', mailNickname: 'f' });
    await rejectsWith(store.createGroupMember(tenant.id, group.id, foreign.id), 'not_found');

    assert.deepEqual(await store.listGroupMembers(tenant.id, group.id), [
      { id: principal.id, type: 'servicePrincipal', displayName: 'api', appId: app.appId },
      { id: inner.id, type: 'group', displayName: 'inner' },
    ]);
    // Deleting a member object removes its memberships.
    await store.deleteGroup(tenant.id, inner.id);
    await store.deleteApplication(tenant.id, app.id);
    assert.deepEqual(await store.listGroupMembers(tenant.id, group.id), []);
    await rejectsWith(store.deleteGroupMember(tenant.id, group.id, principal.id), 'not_found');
    await store.deleteGroup(tenant.id, group.id);
    await rejectsWith(store.deleteGroup(tenant.id, group.id), 'not_found');
  });

  test('groups: input is checked', async () => {
    const { store, tenant } = await setUp();
    await rejectsWith(
      store.createGroup(tenant.id, { displayName: 'x', mailNickname: 'has space' }),
      'invalid_value',
    );
    await rejectsWith(store.createGroup(tenant.id, { displayName: '', mailNickname: 'x' }), 'invalid_value');
  });

  test('applications keep certificate credentials; a keyId without key keeps the stored certificate', async () => {
    const { store, tenant, app } = await setUp();
    const key = await certificate();
    const updated = await store.updateApplication(tenant.id, app.id, {
      keyCredentials: [{ key, keyId: 'k1', displayName: 'ci' }],
    });
    const [stored] = updated.keyCredentials ?? [];
    assert.equal(stored?.keyId, 'k1');
    assert.equal(stored?.type, 'AsymmetricX509Cert');
    assert.equal(stored?.usage, 'Verify');
    assert.match(stored?.customKeyIdentifier ?? '', /^[0-9A-F]{40}$/);
    assert.deepEqual((await store.getApplication(tenant.id, app.id))?.keyCredentials, updated.keyCredentials);

    const kept = await store.updateApplication(tenant.id, app.id, { keyCredentials: [{ keyId: 'k1' }] });
    assert.deepEqual(kept.keyCredentials, updated.keyCredentials);
    await rejectsWith(
      store.updateApplication(tenant.id, app.id, { keyCredentials: [{ key: 'bm90IGEgY2VydA==' }] }),
      'invalid_value',
    );
    await rejectsWith(
      store.updateApplication(tenant.id, app.id, {
        keyCredentials: [
          { key, keyId: 'a' },
          { key, keyId: 'a' },
        ],
      }),
      'invalid_value',
    );
    assert.deepEqual(
      (await store.updateApplication(tenant.id, app.id, { keyCredentials: [] })).keyCredentials,
      [],
    );
  });

  test('federated credential update: fields change, name stays, uniqueness holds', async () => {
    const { store, tenant, app } = await setUp();
    await store.createFederatedIdentityCredential(tenant.id, app.id, {
      name: 'fic-a',
      issuer: ISSUER,
      subject: 's1',
    });
    const b = await store.createFederatedIdentityCredential(tenant.id, app.id, {
      name: 'fic-b',
      issuer: ISSUER,
      subject: 's2',
    });
    const updated = await store.updateFederatedIdentityCredential(tenant.id, app.id, 'fic-b', {
      subject: 's3',
      description: 'moved',
    });
    assert.equal(updated.id, b.id);
    assert.equal(updated.name, 'fic-b');
    assert.equal(updated.subject, 's3');
    assert.equal(updated.description, 'moved');
    await rejectsWith(
      store.updateFederatedIdentityCredential(tenant.id, app.id, b.id, { subject: 's1' }),
      'fic_duplicate_issuer_subject',
    );
    const expression = await store.updateFederatedIdentityCredential(tenant.id, app.id, 'fic-b', {
      claimsMatchingExpression: { value: "claims['sub'] matches 'repo:x/*'", languageVersion: 1 },
    });
    assert.equal(expression.subject, null);
    await rejectsWith(store.updateFederatedIdentityCredential(tenant.id, app.id, 'zz', {}), 'not_found');
  });

  test('service principal update', async () => {
    const { store, tenant, other, principal } = await setUp();
    const updated = await store.updateServicePrincipal(tenant.id, principal.id, {
      accountEnabled: false,
      appRoleAssignmentRequired: true,
    });
    assert.equal(updated.accountEnabled, false);
    assert.equal(updated.appRoleAssignmentRequired, true);
    assert.deepEqual(await store.getServicePrincipal(tenant.id, principal.id), updated);
    await rejectsWith(
      store.updateServicePrincipal(other.id, principal.id, { accountEnabled: true }),
      'not_found',
    );
  });
});
