/**
 * `credless tenant …`: the command functions through the in-process API (/credless/tenants) of a real
 * SQLite store, as the local administrator of its first tenant (the operator).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTenant, listTenants, secretPolicy, showTenant } from '../src/commands/tenant.ts';
import { EXIT, exitCodeFor } from '../src/exit-codes.ts';
import type { GraphApi } from '../src/session/graph-api.ts';
import { openInProcessGraphApi } from '../src/session/in-process-graph-api.ts';

describe('credless tenant', () => {
  let dir: string;
  let api: GraphApi & { close(): Promise<void> };
  let tenantId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-cli-secret-policy-'));
    api = await openInProcessGraphApi({ dataDir: join(dir, 'data') });
    tenantId = (await createTenant(api, { domain: 'contoso.example', displayName: 'Contoso' })).id;
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('create, list and show (by id or domain) print one shape', async () => {
    const shown = await showTenant(api, 'contoso.example');
    assert.equal(shown.id, tenantId);
    assert.deepEqual(await showTenant(api, tenantId), shown);
    const listed = await listTenants(api);
    assert.deepEqual(
      listed.map((tenant) => tenant.defaultDomain),
      ['credless.local', 'contoso.example'],
    );
    assert.deepEqual(listed[1], shown);
    assert.deepEqual(Object.keys(shown), [
      'id',
      'defaultDomain',
      'displayName',
      'createdDateTime',
      'clientSecretPolicy',
    ]);
    await assert.rejects(
      createTenant(api, { domain: 'contoso.example', displayName: 'Again' }),
      (error: Error) => exitCodeFor(error) === EXIT.conflict,
    );
    await assert.rejects(
      showTenant(api, 'nowhere.example'),
      (error: Error) => exitCodeFor(error) === EXIT.notFound,
    );
  });

  test('secret-policy: shows the default, sets mode and lifetime separately, resets', async () => {
    const policy = async (options: Omit<Parameters<typeof secretPolicy>[1], 'id'>) =>
      (await secretPolicy(api, { id: 'contoso.example', ...options })).clientSecretPolicy;
    assert.deepEqual(await policy({}), { mode: 'audit', maxLifetimeSeconds: 86_400 });
    assert.deepEqual(await policy({ mode: 'deny' }), { mode: 'deny', maxLifetimeSeconds: 86_400 });
    assert.deepEqual(await policy({ maxLifetime: '3600' }), { mode: 'deny', maxLifetimeSeconds: 3600 });
    assert.deepEqual((await showTenant(api, tenantId)).clientSecretPolicy, {
      mode: 'deny',
      maxLifetimeSeconds: 3600,
    });
    assert.deepEqual(await policy({ reset: true }), { mode: 'audit', maxLifetimeSeconds: 86_400 });
  });

  test('secret-policy: bad values are refused (exit 2) and change nothing', async () => {
    for (const options of [{ mode: 'off' }, { maxLifetime: 'a day' }, { maxLifetime: '5' }]) {
      await assert.rejects(secretPolicy(api, { id: tenantId, ...options }), (error: Error) => {
        assert.equal(exitCodeFor(error), EXIT.invalidInput, error.message);
        return true;
      });
    }
    await assert.rejects(
      secretPolicy(api, { id: 'nowhere.example', mode: 'deny' }),
      (error: Error) => exitCodeFor(error) === EXIT.notFound,
    );
    assert.deepEqual((await showTenant(api, tenantId)).clientSecretPolicy, {
      mode: 'audit',
      maxLifetimeSeconds: 86_400,
    });
  });
});
