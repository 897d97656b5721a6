/**
 * A small HTTPS server that speaks the Kubernetes API's list/watch/get protocol for ServiceAccounts,
 * for testing KubernetesServiceAccountSource through @kubernetes/client-node unchanged.
 *
 * Why not a real kube-apiserver: none is installed on this machine and none can be downloaded here
 * (no kind/k3s/envtest binaries, no network for them). This server implements exactly the wire
 * behaviour the source relies on: a list with metadata.resourceVersion, a chunked watch stream of
 * newline-delimited ADDED/MODIFIED/DELETED events starting after the requested resourceVersion, a GET
 * returning the object or a 404 Status, and bearer-token authentication.
 * @module
 */

import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createCertificateAuthority, issueServerCertificate } from '@credless/common';
import { stringify } from 'yaml';

export const FAKE_TOKEN = 'fake-apiserver-token';

interface StoredAccount {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    annotations?: Record<string, string>;
  };
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredAccount;
}

export class FakeApiServer {
  readonly counts = { list: 0, watch: 0, get: 0, unauthorized: 0 };
  /** namespace/name pairs whose GET answers 403, as with missing RBAC. */
  readonly forbidden = new Set<string>();
  caCertPem = '';
  port = 0;
  #server: Server | undefined;
  #tls: { cert: string; key: string } | undefined;
  #accounts = new Map<string, StoredAccount>();
  #history: Array<{ rv: number; event: WatchEvent }> = [];
  #watchers = new Set<ServerResponse>();
  #sockets = new Set<Duplex>();
  #rv = 100;

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig that reaches this server (its CA trusted, FAKE_TOKEN as the user's token). */
  kubeconfigYaml(): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'c',
          cluster: {
            server: this.url,
            'certificate-authority-data': Buffer.from(this.caCertPem).toString('base64'),
          },
        },
      ],
      users: [{ name: 'u', user: { token: FAKE_TOKEN } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    });
  }

  async start(port = 0): Promise<void> {
    if (!this.#tls) {
      const ca = await createCertificateAuthority({ commonName: 'fake apiserver CA' });
      const serving = await issueServerCertificate({
        ca,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      });
      this.caCertPem = ca.certPem;
      this.#tls = { cert: serving.certPem, key: serving.keyPem };
    }
    const server = createServer(this.#tls, (req, res) =>
      this.#handle(req.url ?? '/', req.headers.authorization, res),
    );
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Drops every connection and stops listening: the API server is down. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    for (const watcher of this.#watchers) watcher.destroy();
    this.#watchers.clear();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Creates or updates, notifying watchers unless `silently` (a change the watch has not delivered yet). */
  put(
    namespace: string,
    name: string,
    annotations: Record<string, string>,
    options: { silently?: boolean } = {},
  ): void {
    const key = `${namespace}/${name}`;
    const existing = this.#accounts.get(key);
    const account: StoredAccount = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name,
        namespace,
        uid: existing?.metadata.uid ?? crypto.randomUUID(),
        resourceVersion: String(++this.#rv),
        annotations,
      },
    };
    this.#accounts.set(key, account);
    if (!options.silently) this.#emit({ type: existing ? 'MODIFIED' : 'ADDED', object: account });
  }

  remove(namespace: string, name: string): void {
    const account = this.#accounts.get(`${namespace}/${name}`);
    if (!account) return;
    this.#accounts.delete(`${namespace}/${name}`);
    this.#emit({
      type: 'DELETED',
      object: { ...account, metadata: { ...account.metadata, resourceVersion: String(++this.#rv) } },
    });
  }

  #emit(event: WatchEvent): void {
    this.#history.push({ rv: this.#rv, event });
    for (const watcher of this.#watchers) watcher.write(`${JSON.stringify(event)}\n`);
  }

  #handle(rawUrl: string, authorization: string | undefined, res: ServerResponse): unknown {
    const url = new URL(rawUrl, 'https://fake');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) =>
      json(code, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        code,
      });
    if (authorization !== `Bearer ${FAKE_TOKEN}`) {
      this.counts.unauthorized++;
      return status(401, 'Unauthorized', 'Unauthorized');
    }
    if (url.pathname === '/api/v1/serviceaccounts' && url.searchParams.get('watch') === 'true') {
      this.counts.watch++;
      const since = Number(url.searchParams.get('resourceVersion') ?? '0');
      // No Content-Length: Node sends the stream chunked, as the API server does.
      res.writeHead(200, { 'content-type': 'application/json' });
      // The API server sends the headers at once; clients wait for them before they count as watching.
      res.flushHeaders();
      for (const { rv, event } of this.#history) if (rv > since) res.write(`${JSON.stringify(event)}\n`);
      this.#watchers.add(res);
      res.on('close', () => this.#watchers.delete(res));
      return;
    }
    if (url.pathname === '/api/v1/serviceaccounts') {
      this.counts.list++;
      return json(200, {
        kind: 'ServiceAccountList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.#rv) },
        items: [...this.#accounts.values()],
      });
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/.exec(url.pathname);
    if (match) {
      this.counts.get++;
      if (this.forbidden.has(`${match[1]}/${match[2]}`))
        return status(
          403,
          'Forbidden',
          `serviceaccounts "${match[2]}" is forbidden: User "system:serviceaccount:credless:webhook" cannot get resource "serviceaccounts" in API group "" in the namespace "${match[1]}"`,
        );
      const account = this.#accounts.get(`${match[1]}/${match[2]}`);
      return account
        ? json(200, account)
        : status(404, 'NotFound', `serviceaccounts "${match[2]}" not found`);
    }
    return status(404, 'NotFound', 'the server could not find the requested resource');
  }
}
