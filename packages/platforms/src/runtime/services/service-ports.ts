/**
 * The Service ports of one cluster: for each Service its localhost proxies (service-proxy.ts). A port
 * keeps its host port while the Service keeps that port number, and across restarts through the
 * `local.credless.io/host-ports` annotation, so URLs handed out stay valid.
 * @module
 */
import { keyOf, type ServiceObject } from '../manifests/objects.ts';
import { closeProxy, type Endpoint, listenProxy, type ProxyPort } from './service-proxy.ts';

/** Where a Service's ports listen on 127.0.0.1, `port:hostPort,…`, kept across restarts. */
export const HOST_PORTS = 'local.credless.io/host-ports';

export class ServicePorts {
  readonly #proxies = new Map<string, ProxyPort[]>();
  /** The ready endpoints of a Service (by object key) for one of its ports. */
  readonly #endpoints: (serviceKey: string, servicePort: number) => Endpoint[];

  constructor(endpoints: (serviceKey: string, servicePort: number) => Endpoint[]) {
    this.#endpoints = endpoints;
  }

  proxies(service: ServiceObject): ProxyPort[] {
    return this.#proxies.get(keyOf(service)) ?? [];
  }

  /** Opens (or keeps, or moves) the Service's ports; records them in its annotation. */
  async open(service: ServiceObject): Promise<void> {
    const key = keyOf(service);
    const kept: ProxyPort[] = [];
    for (const proxy of this.#proxies.get(key) ?? []) {
      const port = service.spec?.ports?.find((p) => p.port === proxy.port);
      if (port && (port.nodePort === undefined || port.nodePort === proxy.hostPort)) kept.push(proxy);
      else await closeProxy(proxy);
    }
    const proxies = [...kept];
    for (const port of service.spec?.ports ?? []) {
      if (kept.some((p) => p.port === port.port)) continue;
      const saved = savedHostPort(service, port.port);
      proxies.push(
        await listenProxy({ name: port.name, port: port.port }, port.nodePort ?? saved ?? 0, (servicePort) =>
          this.#endpoints(key, servicePort),
        ),
      );
    }
    this.#proxies.set(key, proxies);
    service.metadata.annotations = {
      ...service.metadata.annotations,
      [HOST_PORTS]: proxies.map((p) => `${p.port}:${p.hostPort}`).join(','),
    };
  }

  async close(service: ServiceObject): Promise<void> {
    const key = keyOf(service);
    await Promise.all((this.#proxies.get(key) ?? []).map(closeProxy));
    this.#proxies.delete(key);
  }

  async closeAll(): Promise<void> {
    for (const proxies of this.#proxies.values()) await Promise.all(proxies.map(closeProxy));
    this.#proxies.clear();
  }
}

function savedHostPort(service: ServiceObject, port: number): number | undefined {
  for (const pair of (service.metadata.annotations?.[HOST_PORTS] ?? '').split(',')) {
    const [p, h] = pair.split(':').map(Number);
    if (p === port && h) return h;
  }
  return undefined;
}
