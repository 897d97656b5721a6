/**
 * The Graph REST DirectoryApi against credless's Graph-compatible API (real HTTPS, the bootstrap
 * administrator's session): the same file converges over standard Graph v1.0 paths and bodies, and the
 * identity doing the apply is never pruned.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_APP_NAME } from '@credless/server';
import { startTestStack, type TestCredless, type TestOidcIssuer, type TestStack } from '@credless/testkit';
import {
  applyCommand,
  directoryApiOf,
  planCommand,
  withDirectoryApi,
} from '../../src/commands/declarative.ts';
import { openGraphApi } from '../../src/session/graph-api.ts';
import { login } from '../../src/session/login.ts';

const YAML = `apiVersion: credless.dev/v1
groups:
  - { displayName: deployers, mailNickname: deployers, description: CI identities, members: [deployer] }
applications:
  - displayName: deployer
    federatedCredentials:
      - { name: gh-main, issuer: https://ci.example, subject: "repo:contoso/app:ref:refs/heads/main" }
      - name: gh-prs
        issuer: https://ci.example
        claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/app:*'" }
    apiPermissions:
      - { api: 00000003-0000-0000-c000-000000000000, roles: [Application.ReadWrite.All] }
      - { api: reports-api, roles: [Reports.Read] }
  - displayName: reports-api
    identifierUris: [api://reports]
    appRoles: [{ value: Reports.Read }]
`;

describe('credless plan/apply over the Graph-compatible API', () => {
  let credless: TestCredless;
  let stack: TestStack;
  let issuer: TestOidcIssuer;
  let file: string;
  let out = '';
  const io = () => {
    out = '';
    return {
      write: (text: string) => {
        out += text;
      },
      env: {},
    };
  };

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless } = stack);
    file = join(credless.dataDir, 'identity.yaml');
  });
  after(() => stack.close());

  // The administrator's session over real HTTPS (credless login), as the CLI's Graph client.
  const directory = async () => {
    const configDir = join(credless.dataDir, 'admin-config');
    await login({ local: true, authority: credless.url, dataDir: credless.dataDir, configDir, env: {} });
    const api = await openGraphApi({ configDir });
    assert.ok(api, 'login wrote a session');
    return directoryApiOf(api);
  };

  test('apply converges, a second apply changes nothing, --prune keeps the calling identity', async () => {
    await writeFile(file, YAML);
    const api = await directory();
    await applyCommand(api, { file, yes: true }, io());
    assert.match(out, /^Apply complete: 10 created, 0 updated, 0 deleted\.$/m);

    const deployer = (await credless.store.listApplications(credless.tenantId)).find(
      (app) => app.displayName === 'deployer',
    );
    assert.ok(deployer);
    const fics = await credless.store.listFederatedIdentityCredentials(credless.tenantId, deployer.id);
    assert.deepEqual(
      fics.map((fic) => [fic.name, fic.subject, fic.claimsMatchingExpression?.value ?? null]).sort(),
      [
        ['gh-main', 'repo:contoso/app:ref:refs/heads/main', null],
        ['gh-prs', null, "claims['sub'] matches 'repo:contoso/app:*'"],
      ],
    );
    const sp = await credless.store.getServicePrincipalByAppId(credless.tenantId, deployer.appId);
    assert.equal(
      (await credless.store.listAppRoleAssignmentsByPrincipal(credless.tenantId, sp!.id)).length,
      2,
    );

    await applyCommand(await directory(), { file, yes: true, prune: true }, io());
    assert.equal(out, 'No changes: the directory matches the file.\n');
    const names = (await credless.store.listApplications(credless.tenantId))
      .map((app) => app.displayName)
      .sort();
    assert.deepEqual(names, ['deployer', 'reports-api', ADMIN_APP_NAME].sort());
  });

  test('updates and prune deletes go through Graph PATCH and DELETE', async () => {
    await writeFile(
      file,
      YAML.replace('refs/heads/main', 'refs/heads/release')
        .replace(/ {6}- name: gh-prs\n.*\n.*\n/, '')
        .replace(/ {6}- \{ api: reports-api.*\n/, ''),
    );
    await planCommand(await directory(), { file, prune: true }, io());
    assert.match(out, /^~ update application "deployer": apiPermissions - "reports-api Reports\.Read"$/m);
    assert.match(out, /^~ update federated credential "gh-main" \(application "deployer"\): subject /m);
    assert.match(out, /^- delete federated credential "gh-prs" \(application "deployer"\)$/m);
    assert.match(out, /^- revoke reports-api Reports\.Read from "deployer"$/m);
    await applyCommand(await directory(), { file, yes: true, prune: true }, io());
    assert.match(out, /^Apply complete: 0 created, 2 updated, 2 deleted\.$/m);
    await planCommand(await directory(), { file, prune: true, detailedExitcode: true }, io());
    assert.equal(out, 'No changes: the directory matches the file.\n');
  });

  test('a CI pipeline logged in with a federated token applies a file, and is never pruned itself', async () => {
    // The pipeline's identity, declared and applied by the administrator.
    const ciFile = (extra: string) => `apiVersion: credless.dev/v1
applications:
  - displayName: ci-pipeline
    federatedCredentials: [{ name: gh-main, issuer: "${issuer.issuer}", subject: "repo:contoso/infra:ref:refs/heads/main" }]
    apiPermissions:
      - api: 00000003-0000-0000-c000-000000000000
        roles: [Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All, Group.ReadWrite.All]
${extra}`;
    await writeFile(file, ciFile(''));
    await applyCommand(await directory(), { file, yes: true }, io());
    const ci = (await credless.store.listApplications(credless.tenantId)).find(
      (a) => a.displayName === 'ci-pipeline',
    );
    assert.ok(ci);

    // `credless login --service-principal` as azure/login runs az, then `credless apply` through its session.
    const configDir = join(credless.dataDir, 'ci-config');
    const federatedToken = await issuer.issueToken({
      sub: 'repo:contoso/infra:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
    });
    await login({
      servicePrincipal: true,
      username: ci.appId,
      tenant: credless.tenantId,
      federatedToken,
      authority: credless.url,
      dataDir: credless.dataDir,
      configDir,
    });
    await writeFile(
      file,
      '  - displayName: from-ci\n'.replace(/^/, `apiVersion: credless.dev/v1\napplications:\n`),
    );
    const plannedByCi = await withDirectoryApi(
      {},
      async (api) => {
        assert.equal(api.target, `${credless.url}/v1.0`);
        return applyCommand(api, { file, yes: true, prune: true }, io());
      },
      { configDir, env: {} },
    );
    // Everything else goes; the pipeline's own application stays (and so does the administrator's).
    assert.deepEqual(
      plannedByCi.actions
        .filter((a) => a.op === 'delete' && a.kind === 'application')
        .map((a) => a.kind === 'application' && a.name)
        .sort(),
      ['deployer', 'reports-api'],
    );
    const names = (await credless.store.listApplications(credless.tenantId))
      .map((app) => app.displayName)
      .sort();
    assert.deepEqual(names, [ADMIN_APP_NAME, 'ci-pipeline', 'from-ci'].sort());
  });
});
