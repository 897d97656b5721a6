/**
 * The az commands offline: the same Graph requests as a session, served in-process from a data
 * directory (a real SQLite store) as its local administrator.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type CredlessError, GRAPH_APP_ID } from '@credless/core';
import { graphAddPermission, graphGrantPermissions } from '../../src/commands/az/graph-credentials.ts';
import {
  graphCreateForRbac,
  graphCreateGroup,
  graphDeleteGroup,
  graphListApplications,
  graphListServicePrincipals,
  graphShowGroup,
} from '../../src/commands/az/graph-objects.ts';
import { exitCodeFor } from '../../src/exit-codes.ts';
import type { GraphApi } from '../../src/session/graph-api.ts';
import { openInProcessGraphApi } from '../../src/session/in-process-graph-api.ts';
import { requestLocalAdminToken } from '../../src/session/login.ts';

let dir: string;
let api: GraphApi & { close(): Promise<void> };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credless-az-offline-'));
  api = await openInProcessGraphApi({ dataDir: dir });
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('offline az commands (in-process Graph)', () => {
  test('the transport acts as the local administrator, on the data directory', async () => {
    assert.equal(api.session.kind, 'local-admin');
    assert.equal(api.target, `the data directory ${dir}`);
    const organization = await api.call<{ value: Array<{ id: string }> }>('GET', '/organization');
    assert.equal(organization.value[0]?.id, api.session.tenantId);
  });

  test("its token is a Graph token of the in-process token endpoint, with the administrator's roles", () => {
    const claims = JSON.parse(
      Buffer.from(api.session.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    assert.equal(claims['aud'], 'https://graph.microsoft.com');
    assert.equal(claims['appid'], api.session.clientId);
    assert.equal(claims['tid'], api.session.tenantId);
    assert.ok((claims['roles'] as string[]).includes('Application.ReadWrite.All'));
  });

  test('create-for-rbac reuses the application of that name and creates its service principal once', async () => {
    const first = await graphCreateForRbac(api, 'sp-credless-aks');
    const again = await graphCreateForRbac(api, 'sp-credless-aks');
    assert.deepEqual(again, first);
    assert.deepEqual(Object.keys(first).sort(), ['appId', 'displayName', 'tenant']);
    assert.equal((await graphListServicePrincipals(api, { displayName: 'sp-credless-aks' })).length, 1);
    assert.equal((await graphListApplications(api, { displayName: 'sp-credless-aks' })).length, 1);
  });

  test('create-for-rbac with an ambiguous name → exit 4, nothing created', async () => {
    await api.call('POST', '/applications', { displayName: 'twin' });
    await api.call('POST', '/applications', { displayName: 'twin' });
    await assert.rejects(graphCreateForRbac(api, 'twin'), (error: Error) => {
      assert.match(error.message, /2 applications are named 'twin'/);
      return exitCodeFor(error) === 4;
    });
    assert.deepEqual(await graphListServicePrincipals(api, { displayName: 'twin' }), []);
  });

  test('group create, show by name or id, delete', async () => {
    const group = await graphCreateGroup(api, { displayName: 'credless-aks', mailNickname: 'credless-aks' });
    assert.equal(group['securityEnabled'], true);
    assert.equal(group['mailEnabled'], false);
    assert.equal((await graphShowGroup(api, 'credless-aks')).id, group.id);
    assert.equal((await graphShowGroup(api, group.id))['displayName'], 'credless-aks');
    await graphDeleteGroup(api, 'credless-aks');
    await assert.rejects(graphShowGroup(api, group.id), (error: Error) => exitCodeFor(error) === 3);
    await assert.rejects(
      graphCreateGroup(api, { displayName: ' ', mailNickname: 'x' }),
      /--display-name must not be empty/,
    );
  });

  test('permission grant --api grants only that API; an API the app does not request → exit 3', async () => {
    const { appId } = await graphCreateForRbac(api, 'consented');
    await graphAddPermission(api, {
      id: appId,
      api: GRAPH_APP_ID,
      apiPermissions: ['df021288-bdef-4463-88db-98f22de89214=Role'],
    });
    const granted = await graphGrantPermissions(api, { id: appId, api: GRAPH_APP_ID });
    assert.deepEqual(
      granted.map((a) => a['appRoleId']),
      ['df021288-bdef-4463-88db-98f22de89214'],
    );
    // Again: nothing new is granted, the existing assignment is returned.
    assert.deepEqual(
      (await graphGrantPermissions(api, { id: appId, api: GRAPH_APP_ID })).map((a) => a.id),
      granted.map((a) => a.id),
    );
    await assert.rejects(
      graphGrantPermissions(api, { id: appId, api: '11111111-1111-1111-1111-111111111111' }),
      (error: Error) => exitCodeFor(error) === 3,
    );
  });

  test('a read-only open of a missing data directory names it and creates nothing', async () => {
    const missing = join(dir, 'missing');
    const refusedAsMissing = (error: Error) => {
      assert.equal((error as CredlessError).code, 'data_directory_missing');
      assert.match(error.message, new RegExp(`no data directory at ${missing}`));
      return exitCodeFor(error) === 3;
    };
    await assert.rejects(openInProcessGraphApi({ dataDir: missing, readOnly: true }), refusedAsMissing);
    // The local administrator's login reads its key there: the same error, before any connection.
    await assert.rejects(
      requestLocalAdminToken({ authority: 'https://127.0.0.1:1', dataDir: missing }),
      refusedAsMissing,
    );
    await assert.rejects(access(missing), /ENOENT/);
  });

  test('a file where the data directory should be is refused as not a directory', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    await assert.rejects(openInProcessGraphApi({ dataDir: file, readOnly: true }), (error: Error) => {
      assert.equal((error as CredlessError).code, 'data_directory_not_directory');
      assert.match(error.message, new RegExp(`The data directory ${file} is not a directory`));
      return exitCodeFor(error) === 1;
    });
  });
});
