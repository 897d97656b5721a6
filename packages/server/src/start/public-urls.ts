/**
 * The public base URL (authority host) and the Graph API's base URL. Configured, they are known at
 * start; otherwise the base URL is `<scheme>://localhost:<port>`, and with port 0 the port is known only
 * once the server listens. Handlers built before listening ask here, at request time; nothing else
 * holds a copy.
 * @module
 */
import type { ServerConfig } from '../config.ts';

type UrlConfig = Pick<ServerConfig, 'publicUrl' | 'graphBaseUrl' | 'insecureHttp' | 'port'>;

export class PublicUrls {
  readonly #config: UrlConfig;
  #listenedPort: number | undefined;

  constructor(config: UrlConfig) {
    this.#config = config;
  }

  /** Records the port actually listened on (the listen stage, once). */
  listened(port: number): void {
    this.#listenedPort = port;
  }

  readonly baseUrl = (): string => {
    if (this.#config.publicUrl !== undefined) return this.#config.publicUrl;
    const port = this.#config.port === 0 ? this.#listenedPort : this.#config.port;
    // Nothing serves a request before listening; a read this early is a wiring mistake.
    if (port === undefined) throw new Error('the public URL is not known before the server listens');
    return `${this.#config.insecureHttp ? 'http' : 'https'}://localhost:${port}`;
  };

  readonly graphUrl = (): string => this.#config.graphBaseUrl ?? `${this.baseUrl()}/v1.0`;
}
