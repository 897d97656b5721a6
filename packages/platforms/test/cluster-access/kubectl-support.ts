/**
 * A local cluster with a running runtime behind its own HTTPS Kubernetes API, and the real kubectl
 * pointed at it with a credless-issued AKS token (a kubeconfig with `token:`, as after `kubelogin
 * convert-kubeconfig`): what the real-kubectl tests share. kubectl must be installed (CI:
 * `apt-get install -y kubernetes-client`); without it these tests fail, saying so.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@credless/common';
import { AKS_SERVER_APP_ID } from '@credless/core';
import { type ClusterRecord, loadKeyEncryptionKey } from '@credless/server';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestCredless,
  startTestOidcIssuer,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import { Agent } from 'undici';
import { stringify } from 'yaml';
import { assignRole } from '../../src/cluster-access/role-assignments.ts';
import { createLocalCluster } from '../../src/local-issuers/clusters.ts';
import { LocalPlatforms } from '../../src/local-platforms.ts';
import { attachRegistry } from '../../src/runtime/images/kubelet-identity.ts';
import { buildImage, createRegistry } from '../../src/runtime/images/registry.ts';
import { type RunningLocalRuntime, startLocalRuntime } from '../../src/runtime/start.ts';
import { writeWebImage } from '../runtime/support.ts';

export const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlCluster {
  credless: TestCredless;
  issuer: TestOidcIssuer;
  cluster: ClusterRecord;
  runtime: RunningLocalRuntime;
  /** Stops the runtime and starts it again from its saved objects (as a restart of credless does). */
  restartRuntime(): Promise<void>;
  server: string;
  dir: string;
  agent: Agent;
  /** Runs the real kubectl as `who` (default: a caller holding Cluster Admin on the cluster). */
  kubectl(args: string[], options?: { who?: 'admin' | 'nobody'; input?: string }): Promise<Run>;
  /** A raw HTTPS call to the cluster API as the admin caller. */
  call(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }>;
  writeFile(name: string, text: string): Promise<string>;
  close(): Promise<void>;
}

async function aksToken(credless: TestCredless, issuer: TestOidcIssuer, agent: Agent) {
  const subject = `system:serviceaccount:ci:${randomUUID()}`;
  const workload = await createWorkloadScenario(credless, { issuer: issuer.issuer, subject });
  const assertion = await issuer.issueToken({ sub: subject, aud: ['api://AzureADTokenExchange'] });
  const answer = await requestToken(
    { url: credless.url, tenantId: credless.tenantId },
    clientCredentialsForm({ clientId: workload.appId, assertion, scope: `${AKS_SERVER_APP_ID}/.default` }),
    { dispatcher: agent },
  );
  if (answer.status !== 200) throw new Error(`no AKS token: ${JSON.stringify(answer.body)}`);
  return { ...workload, token: answer.body['access_token'] as string };
}

/** `logger`: the server's (and its cluster API listeners') logger, for a test that reads what was logged. */
export async function startKubectlCluster(options: { logger?: Logger } = {}): Promise<KubectlCluster> {
  const platforms = new LocalPlatforms();
  const issuer = await startTestOidcIssuer({ kidStyle: 'kubernetes' });
  const credless = await startTestCredless({
    issuerDispatcher: issuer.dispatcher,
    plugins: [platforms],
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const agent = new Agent({ connect: { ca: credless.caCertPem as string } });
  const dir = await mkdtemp(join(tmpdir(), 'credless-kubectl-'));
  const { cluster } = await createLocalCluster(
    { store: credless.store, kek: await loadKeyEncryptionKey({ dataDir: credless.dataDir }) },
    {
      tenantId: credless.tenantId,
      baseUrl: credless.url,
      resourceGroup: 'rg',
      name: 'aks1',
      enableWorkloadIdentity: true,
    },
  );
  const imageDir = await writeWebImage();
  const ctx = { store: credless.store, tenantId: credless.tenantId, dataDir: credless.dataDir };
  await createRegistry(ctx, 'myreg01');
  await buildImage(ctx, { registry: 'myreg01', image: 'web:1', source: imageDir });
  await rm(imageDir, { recursive: true, force: true });
  await attachRegistry({ store: credless.store, tenantId: credless.tenantId }, cluster, 'myreg01');
  const startRuntime = () =>
    startLocalRuntime(
      {
        ...credless,
        issueServiceAccountToken: (id, request) => platforms.issueServiceAccountToken(id, request),
      },
      { dataDir: credless.dataDir, backoff: { initialMs: 100, maxMs: 400 }, stopGraceMs: 2000 },
    );
  let runtime = await startRuntime();
  platforms.clusterApi.setObjectSource((record) => runtime.clusters.runtimeOf(record));
  await platforms.clusterApi.sync();
  const port = platforms.clusterApi.portOf(cluster.id);
  if (!port) throw new Error('the cluster API has no listener');
  const server = `https://localhost:${port}`;

  const admin = await aksToken(credless, issuer, agent);
  await assignRole(credless.store, credless.tenantId, {
    role: 'Azure Kubernetes Service RBAC Cluster Admin',
    assignee: admin.servicePrincipalId,
    scope: cluster.id,
  });
  const nobody = await aksToken(credless, issuer, agent);
  const kubeconfigs: Record<string, string> = {};
  for (const [who, caller] of Object.entries({ admin, nobody })) {
    kubeconfigs[who] = join(dir, `${who}.kubeconfig`);
    await writeFile(
      kubeconfigs[who],
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'aks1',
            cluster: {
              server,
              'certificate-authority-data': Buffer.from(credless.caCertPem as string).toString('base64'),
            },
          },
        ],
        users: [{ name: who, user: { token: caller.token } }],
        contexts: [{ name: 'aks1', context: { cluster: 'aks1', user: who } }],
        'current-context': 'aks1',
      }),
    );
  }

  const kubectl: KubectlCluster['kubectl'] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        KUBECTL,
        ['--kubeconfig', kubeconfigs[options.who ?? 'admin'] as string, ...args],
        {
          env: { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
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
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });

  const call: KubectlCluster['call'] = async (method, path, body, contentType = 'application/json') => {
    const response = await fetch(`${server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin.token}`,
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      dispatcher: agent,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: response.status, body: parsed };
  };

  return {
    credless,
    issuer,
    cluster,
    get runtime() {
      return runtime;
    },
    async restartRuntime() {
      await runtime.close();
      runtime = await startRuntime();
    },
    server,
    dir,
    agent,
    kubectl,
    call,
    writeFile: async (name, text) => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    },
    async close() {
      await runtime.close();
      await agent.close();
      await credless.close();
      await issuer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
