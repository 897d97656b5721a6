/**
 * plan/apply against a real credless (SQLite data directory, HTTPS token endpoint): apply creates
 * applications, service principals, exact and expression credentials, permissions and consent, groups;
 * the STS then issues tokens with those roles; a second apply changes nothing; a changed subject is an
 * update; an application removed from the file is deleted only with --prune (never the administrator).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_APP_NAME } from '@credless/server';
import {
  clientCredentialsForm,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import type { Agent } from 'undici';
import { applyCommand, planCommand } from '../../src/commands/declarative.ts';
import { ApplyError } from '../../src/declarative/apply.ts';
import type { DirectoryApi } from '../../src/declarative/directory-api.ts';
import { ChangesPendingError, EXIT, exitCodeFor } from '../../src/exit-codes.ts';
import { inProcessDirectory } from '../support/in-process-directory.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const WORKER_SUBJECT = 'system:serviceaccount:orders:worker';

const identityYaml = (workerSubject: string, extra = '') => `apiVersion: credless.dev/v1
groups:
  - { displayName: orders-team, mailNickname: orders-team, members: [orders-worker] }
applications:
  - displayName: orders-worker
    federatedCredentials:
      - { name: k8s-worker, issuer: "\${ISSUER}", subject: "${workerSubject}" }
      - name: ci-jobs
        issuer: "\${ISSUER}"
        claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/orders:*'" }
    apiPermissions:
      - { api: 00000003-0000-0000-c000-000000000000, roles: [User.Read.All, Organization.Read.All] }
      - { api: orders-api, roles: [Orders.Read] }
  - displayName: orders-api
    identifierUris: [api://orders-api]
    accessTokenAcceptedVersion: 2
    appRoles: [{ value: Orders.Read, description: Read orders }]
${extra}`;

const decodePayload = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('credless plan/apply on the local store', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let agent: Agent;
  let api: DirectoryApi;
  let file: string;
  let out: string;
  const io = () => {
    out = '';
    return {
      write: (text: string) => {
        out += text;
      },
      env: { ISSUER: issuer.issuer },
    };
  };
  const write = (text: string) => writeFile(file, text);

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless, client: agent } = stack);
    api = await inProcessDirectory(credless);
    file = join(credless.dataDir, 'identity.yaml');
  });
  after(() => stack.close());

  async function exchange(clientId: string, sub: string, scope?: string) {
    const assertion = await issuer.issueToken({ sub, aud: AUDIENCE });
    return requestToken(
      credless,
      clientCredentialsForm({ clientId, assertion, ...(scope ? { scope } : {}) }),
      {
        dispatcher: agent,
      },
    );
  }
  const appIdOf = async (name: string) => {
    const found = (await credless.store.listApplications(credless.tenantId)).filter(
      (a) => a.displayName === name,
    );
    assert.equal(found.length, 1, `one application named ${name}`);
    return found[0]!.appId;
  };

  test('plan shows the changes and changes nothing; --detailed-exitcode signals them', async () => {
    await write(identityYaml(WORKER_SUBJECT));
    const planned = await planCommand(api, { file }, io());
    assert.ok(planned.actions.length > 0);
    assert.match(out, /^\+ create application "orders-worker"$/m);
    assert.match(out, /^\+ create federated credential "ci-jobs" \(application "orders-worker"\)$/m);
    assert.match(out, /^\+ grant orders-api Orders\.Read to "orders-worker" \(admin consent\)$/m);
    assert.match(out, /^\+ add "orders-worker" to group "orders-team"$/m);
    assert.deepEqual(
      (await credless.store.listApplications(credless.tenantId)).map((a) => a.displayName),
      [ADMIN_APP_NAME],
    );
    await assert.rejects(planCommand(api, { file, detailedExitcode: true }, io()), ChangesPendingError);
  });

  test('apply without --yes and without a terminal refuses and changes nothing', async () => {
    await assert.rejects(applyCommand(api, { file }, io()), /needs --yes/);
    assert.equal((await credless.store.listApplications(credless.tenantId)).length, 1);
  });

  test('apply creates everything; the STS then issues tokens with the consented roles', async () => {
    await applyCommand(api, { file, yes: true }, io());
    assert.match(out, /^Apply complete: 11 created, 0 updated, 0 deleted\.$/m);

    const worker = await appIdOf('orders-worker');
    const graphToken = await exchange(worker, WORKER_SUBJECT);
    assert.equal(graphToken.status, 200, JSON.stringify(graphToken.body));
    const graphClaims = decodePayload(String(graphToken.body['access_token']));
    assert.deepEqual([...(graphClaims['roles'] as string[])].sort(), [
      'Organization.Read.All',
      'User.Read.All',
    ]);

    // The expression credential, and the file's own API as a v2 resource with its role.
    const apiToken = await exchange(
      worker,
      'repo:contoso/orders:ref:refs/heads/main',
      'api://orders-api/.default',
    );
    assert.equal(apiToken.status, 200, JSON.stringify(apiToken.body));
    const apiClaims = decodePayload(String(apiToken.body['access_token']));
    assert.deepEqual(apiClaims['roles'], ['Orders.Read']);
    assert.equal(apiClaims['ver'], '2.0');
    assert.equal(apiClaims['aud'], await appIdOf('orders-api'));

    const [group] = await credless.store.listGroups(credless.tenantId);
    assert.equal(group?.displayName, 'orders-team');
    const members = await credless.store.listGroupMembers(credless.tenantId, group!.id);
    assert.deepEqual(
      members.map((m) => m.appId),
      [worker],
    );
  });

  test('a second apply prints "No changes" and changes nothing', async () => {
    const version = await credless.store.getDirectoryVersion();
    const second = await applyCommand(api, { file, yes: true }, io());
    assert.equal(second.actions.length, 0);
    assert.equal(out, 'No changes: the directory matches the file.\n');
    assert.equal(await credless.store.getDirectoryVersion(), version);
    await planCommand(api, { file, detailedExitcode: true }, io());
  });

  test('a changed subject is an update: the new subject gets tokens, the old one no longer', async () => {
    await write(identityYaml('system:serviceaccount:orders:worker-v2'));
    await applyCommand(api, { file, yes: true }, io());
    assert.match(
      out,
      /^~ update federated credential "k8s-worker" \(application "orders-worker"\): subject "system:serviceaccount:orders:worker" → "system:serviceaccount:orders:worker-v2"$/m,
    );
    assert.match(out, /^Apply complete: 0 created, 1 updated, 0 deleted\.$/m);
    const worker = await appIdOf('orders-worker');
    assert.equal((await exchange(worker, 'system:serviceaccount:orders:worker-v2')).status, 200);
    const old = await exchange(worker, WORKER_SUBJECT);
    assert.equal(old.status, 401);
    assert.match(String(old.body['error_description']), /^AADSTS700213/);
  });

  test('a group whose mailNickname or description changed is updated in place, members kept', async () => {
    const groupOf = async () =>
      (await credless.store.listGroups(credless.tenantId)).filter((g) => g.displayName === 'orders-team');
    const [before] = await groupOf();
    assert.ok(before);
    const changed = identityYaml('system:serviceaccount:orders:worker-v2').replace(
      'mailNickname: orders-team,',
      'mailNickname: orders, description: Orders on call,',
    );
    for (const [yaml, nickname, description] of [
      [changed, 'orders', 'Orders on call'],
      [identityYaml('system:serviceaccount:orders:worker-v2'), 'orders-team', null],
    ] as const) {
      await write(yaml);
      await applyCommand(api, { file, yes: true }, io());
      assert.match(out, /^~ update group "orders-team"$/m);
      assert.match(out, /^Apply complete: 0 created, 1 updated, 0 deleted\.$/m);
      const groups = await groupOf();
      assert.equal(groups.length, 1);
      assert.equal(groups[0]?.id, before.id);
      assert.equal(groups[0]?.mailNickname, nickname);
      assert.equal(groups[0]?.description, description);
      assert.equal((await credless.store.listGroupMembers(credless.tenantId, before.id)).length, 1);
    }
  });

  test('an application removed from the file stays without --prune and is deleted with it', async () => {
    await write(identityYaml('system:serviceaccount:orders:worker-v2', '  - displayName: extra-app\n'));
    await applyCommand(api, { file, yes: true }, io());
    await appIdOf('extra-app');

    await write(identityYaml('system:serviceaccount:orders:worker-v2'));
    const kept = await applyCommand(api, { file, yes: true }, io());
    assert.equal(kept.actions.length, 0);
    assert.match(out, /^1 object in the directory not in the file is left alone \(--prune deletes it\)\.$/m);
    await appIdOf('extra-app');

    await applyCommand(api, { file, yes: true, prune: true }, io());
    assert.match(out, /^- delete application "extra-app"$/m);
    assert.match(out, /^Apply complete: 0 created, 0 updated, 1 deleted\.$/m);
    const names = (await credless.store.listApplications(credless.tenantId)).map((a) => a.displayName).sort();
    assert.deepEqual(
      names,
      [ADMIN_APP_NAME, 'orders-api', 'orders-worker'],
      'the administrator is never pruned',
    );
    await planCommand(api, { file, prune: true }, io());
    assert.equal(out, 'No changes: the directory matches the file.\n');
  });

  test('a failed action stops the apply, names it, and exits like its cause; planning again shows what remains', async () => {
    // A renamed credential without --prune: the old one still holds the issuer and subject.
    await write(
      identityYaml('system:serviceaccount:orders:worker-v2').replace(
        'name: k8s-worker',
        'name: k8s-worker-2',
      ),
    );
    await assert.rejects(applyCommand(api, { file, yes: true }, io()), (error: unknown) => {
      assert.ok(error instanceof ApplyError);
      assert.match(
        error.message,
        /^failed at: \+ create federated credential "k8s-worker-2" \(application "orders-worker"\)\n/,
      );
      assert.match(error.message, /0 changes applied before it; plan again/);
      assert.equal(error.exitCode, exitCodeFor(error.cause));
      assert.notEqual(error.exitCode, EXIT.failure);
      return true;
    });
    await applyCommand(api, { file, yes: true, prune: true }, io());
    assert.match(
      out,
      /^- delete federated credential "k8s-worker" \(application "orders-worker"\)\n\+ create federated credential "k8s-worker-2"/m,
    );
    await planCommand(api, { file }, io());
    assert.equal(out, 'No changes: the directory matches the file.\n');
  });
});
