/**
 * The runtime's control channel: HTTP over a Unix socket `<data>/runtime.sock` (mode 0600, in the 0700
 * data directory), which the `credless cluster apply|get|logs|delete` commands use. Whoever may read
 * the data directory may already read every key in it, so the socket's permissions are its
 * authentication (as with docker.sock); nothing listens on the network.
 * @module
 */
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CredlessError, isCredlessError } from '@credless/core';
import type { ObjectRef } from '../cluster-runtime.ts';
import type { ClusterSelector, LocalClusters } from '../host.ts';
import type { KubeObject } from '../manifests/objects.ts';

const MAX_BODY = 8 * 1024 * 1024;

export type ControlRequest =
  | { op: 'apply'; cluster: ClusterSelector; source: string; objects: KubeObject[] }
  | { op: 'delete'; cluster: ClusterSelector; refs: ObjectRef[] }
  | {
      op: 'get';
      cluster: ClusterSelector;
      what: 'pods' | 'deployments' | 'services';
      namespace?: string;
    }
  | { op: 'logs'; cluster: ClusterSelector; namespace: string; pod: string; container?: string };

export async function handleControl(clusters: LocalClusters, request: ControlRequest): Promise<unknown> {
  const runtime = await clusters.runtime(request.cluster);
  switch (request.op) {
    case 'apply':
      return runtime.apply(request.objects, request.source);
    case 'delete':
      return runtime.delete(request.refs);
    case 'get':
      if (request.what === 'pods') return runtime.pods(request.namespace);
      if (request.what === 'deployments') return runtime.deployments(request.namespace);
      return runtime.services(request.namespace);
    case 'logs':
      return { text: await runtime.logs(request.namespace, request.pod, request.container) };
  }
}

export async function listenControl(clusters: LocalClusters, socketPath: string): Promise<Server> {
  // A socket left by a credless that did not stop cleanly; a running one would hold the port anyway.
  await unlink(socketPath).catch(() => {});
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handleControl(clusters, JSON.parse(body) as ControlRequest))
      .then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(result ?? null));
        },
        (error: unknown) => {
          const status = isCredlessError(error) ? error.status : 500;
          const body = isCredlessError(error)
            ? { code: error.code, message: error.message }
            : {
                code: 'internal',
                message: error instanceof SyntaxError ? 'invalid request' : (error as Error).message,
              };
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: body }));
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return server;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(
          new CredlessError('runtime_manifest_invalid', { source: 'request', reason: 'larger than 8 MiB' }),
        );
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
