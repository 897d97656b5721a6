/**
 * A Service as localhost ports: for each service port a TCP listener on 127.0.0.1:<host port>
 * (the port's nodePort when given, else a free port kept for the Service's lifetime) that forwards each
 * connection to one ready endpoint, round-robin — the local kube-proxy.
 * @module
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ProxyPort {
  name?: string | undefined;
  port: number;
  hostPort: number;
  server: Server;
}

export type ResolveEndpoints = (servicePort: number) => Endpoint[];

export async function listenProxy(
  servicePort: { name?: string | undefined; port: number },
  hostPort: number,
  endpoints: ResolveEndpoints,
): Promise<ProxyPort> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const candidates = endpoints(servicePort.port);
    if (candidates.length === 0) {
      client.destroy();
      return;
    }
    const target = candidates[next++ % candidates.length] as Endpoint;
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(hostPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : hostPort;
  // Close drops open connections too (a deleted Service stops answering at once).
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return close(cb);
  }) as typeof server.close;
  return { name: servicePort.name, port: servicePort.port, hostPort: actual, server };
}

export function closeProxy(proxy: ProxyPort): Promise<void> {
  return new Promise((resolve) => proxy.server.close(() => resolve()));
}

/** A port free right now on 127.0.0.1 (for a pod's containerPort). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
