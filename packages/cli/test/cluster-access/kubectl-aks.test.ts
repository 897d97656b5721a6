/**
 * The seed's cluster access, end to end with the real kubectl and the real `credless` binary:
 * cluster create → workload app with a federated credential → `cluster get-credentials` →
 * `kubeconfig convert --login workloadidentity` → `kubectl get --raw /version` answers (any signed-in
 * caller) while `/api` is Forbidden → `role assignment create --role "Azure Kubernetes Service RBAC
 * Cluster Admin" --assignee <appId> --scope <cluster id>` → `/api` succeeds. kubectl must be installed (CI: `apt-get install -y
 * kubernetes-client`); without it this test fails.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AKS_SERVER_APP_ID } from '@credless/core';
import { LocalPlatforms } from '@credless/platforms';
import {
  createWorkloadScenario,
  startTestCredless,
  startTestOidcIssuer,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import { parse } from 'yaml';
import { BIN, runBinary } from '../run-binary.ts';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const SUBJECT = 'system:serviceaccount:ci:deployer';
const CLUSTER_ADMIN = 'Azure Kubernetes Service RBAC Cluster Admin';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : Number.NaN) : 0;
      if (error && Number.isNaN(code)) {
        reject(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error(
                `kubectl not found ('${KUBECTL}'): install it with \`apt-get install -y kubernetes-client\``,
              )
            : error,
        );
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

let issuer: TestOidcIssuer;
let credless: TestCredless;
const platforms = new LocalPlatforms();
let dir: string;
let clientId: string;
let kubeconfig: string;

/** kubectl's environment: what a CI job would have, plus credless's CA for the plugin's HTTPS. */
const env = (): NodeJS.ProcessEnv => ({
  PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter),
  HOME: dir,
  XDG_CACHE_HOME: join(dir, 'cache'),
  NODE_EXTRA_CA_CERTS: join(dir, 'credless-ca.pem'),
  AZURE_CLIENT_ID: clientId,
  AZURE_TENANT_ID: credless.tenantId,
  AZURE_FEDERATED_TOKEN_FILE: join(dir, 'azure-identity-token'),
  AZURE_AUTHORITY_HOST: `${credless.url}/`,
});

/** `credless …` against the test credless's data directory. */
const credlessCli = (...args: string[]) => runBinary([...args, '--data-dir', credless.dataDir]);

/** Waits until the running server's cached directory sees what the CLI process wrote (its version poll). */
async function untilServerSees(check: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('the server never saw the CLI write');
}

before(async () => {
  issuer = await startTestOidcIssuer({ kidStyle: 'kubernetes' });
  credless = await startTestCredless({ issuerDispatcher: issuer.dispatcher, plugins: [platforms] });
  dir = await mkdtemp(join(tmpdir(), 'credless-kubectl-aks-'));
  kubeconfig = join(dir, 'kube', 'config');
  await writeFile(join(dir, 'credless-ca.pem'), credless.caCertPem as string);
  clientId = (
    await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: SUBJECT,
      displayName: 'sp-credless-aks',
    })
  ).appId;
  await writeFile(
    join(dir, 'azure-identity-token'),
    await issuer.issueToken({ sub: SUBJECT, aud: ['api://AzureADTokenExchange'] }),
  );
});
after(async () => {
  await credless?.close();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl against a local cluster with Azure RBAC (the seed)', () => {
  test('refused without the role assignment, allowed with it', async (t) => {
    const version = await kubectl(['version', '--client', '-o', 'json'], env());
    assert.equal(version.code, 0, version.stderr);
    const client = (JSON.parse(version.stdout) as { clientVersion: { gitVersion: string } }).clientVersion
      .gitVersion;
    t.diagnostic(`kubectl ${client}`);
    console.log(`# kubectl client version: ${client}`);

    const created = await credlessCli(
      'cluster',
      'create',
      '-n',
      'dev-aks',
      '-g',
      'rg-dev-aks',
      '--enable-oidc-issuer',
      '--enable-workload-identity',
      '--url',
      credless.url,
      '--query',
      'id',
      '-o',
      'tsv',
    );
    assert.equal(created.code, 0, created.stderr);
    const clusterId = created.stdout.trim();
    assert.match(clusterId, /^\/subscriptions\/.+\/managedClusters\/dev-aks$/);

    const credentials = await credlessCli(
      'cluster',
      'get-credentials',
      '-n',
      'dev-aks',
      '-g',
      'rg-dev-aks',
      '--file',
      kubeconfig,
      '--url',
      credless.url,
    );
    assert.equal(credentials.code, 0, credentials.stderr);
    assert.match(credentials.stderr, /Merged "dev-aks" as current context/);
    const converted = await runBinary([
      'kubeconfig',
      'convert',
      '--login',
      'workloadidentity',
      '--kubeconfig',
      kubeconfig,
      '--command',
      BIN,
    ]);
    assert.equal(converted.code, 0, converted.stderr);
    const config = parse(await readFile(kubeconfig, 'utf8')) as {
      users: Array<{ user: { exec: { args: string[] } } }>;
    };
    assert.ok(config.users[0]?.user.exec.args.includes(AKS_SERVER_APP_ID));
    // get-credentials created the AKS server app in the store; the server's cache hears of it by polling.
    await untilServerSees(() => credless.directory.findResource(credless.tenantId, AKS_SERVER_APP_ID));

    // Any signed-in caller reads /version (AKS's system:public-info-viewer); the rest needs a role.
    const publicInfo = await kubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/version'], env());
    assert.equal(publicInfo.code, 0, publicInfo.stderr);
    const refused = await kubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/api'], env());
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Forbidden/);
    assert.match(refused.stderr, /does not have access to the resource in Azure/);

    const assigned = await credlessCli(
      'role',
      'assignment',
      'create',
      '--role',
      CLUSTER_ADMIN,
      '--assignee',
      clientId,
      '--scope',
      clusterId,
    );
    assert.equal(assigned.code, 0, assigned.stderr);
    const assignment = JSON.parse(assigned.stdout) as {
      scope: string;
      roleDefinitionName: string;
      principalType: string;
    };
    assert.equal(assignment.scope, clusterId);
    assert.equal(assignment.roleDefinitionName, CLUSTER_ADMIN);
    assert.equal(assignment.principalType, 'ServicePrincipal');
    // Again (the seed's pipeline runs twice): the same assignment, no error.
    const again = await credlessCli(
      'role',
      'assignment',
      'create',
      '--role',
      CLUSTER_ADMIN,
      '--assignee',
      clientId,
      '--scope',
      clusterId,
      '--query',
      'id',
      '-o',
      'tsv',
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(`${again.stdout.trim()}`, (JSON.parse(assigned.stdout) as { id: string }).id);

    const allowed = await kubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/version'], env());
    assert.equal(allowed.code, 0, allowed.stderr);
    const server = JSON.parse(allowed.stdout) as { gitVersion: string; major: string };
    assert.equal(server.major, '1');
    console.log(`# cluster API server version: ${server.gitVersion}`);
    const both = await kubectl(['--kubeconfig', kubeconfig, 'version', '-o', 'json'], env());
    assert.equal(both.code, 0, both.stderr);
    assert.equal(
      (JSON.parse(both.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion,
      server.gitVersion,
    );

    // Objects, apply, tables and bad input with a running runtime: platforms/test/cluster-access/kubectl-objects.test.ts.

    // Deleting the assignment takes access away at once.
    const deleted = await credlessCli(
      'role',
      'assignment',
      'delete',
      '--assignee',
      clientId,
      '--scope',
      clusterId,
    );
    assert.equal(deleted.code, 0, deleted.stderr);
    const listed = await credlessCli('role', 'assignment', 'list', '--assignee', clientId);
    assert.deepEqual(JSON.parse(listed.stdout), []);
    const revoked = await kubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/api'], env());
    assert.notEqual(revoked.code, 0);
    assert.match(revoked.stderr, /Forbidden/);
  });
});
