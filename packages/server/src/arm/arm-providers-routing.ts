/**
 * A resource provider's routes in every casing, as ARM compares paths: each route is registered as
 * written (`…/resourceGroups/{g}/providers/Microsoft.ContainerService/managedClusters/{name}`, what az
 * sends), and the provider's namespace route (arm-provider-routes.ts) matches any other casing of the
 * same path and hands it to the same handler with the same parameters.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { armProviderRoute } from './arm-provider-routes.ts';
import type { ArmRouteConfig } from './arm-providers-catalogue.ts';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

interface Recorded {
  method: Method;
  /** The URL's segments after the leading slash; `:name` captures a parameter. */
  segments: string[];
  handler: Handler;
}

export class ArmProviderRoutes {
  readonly #recorded: Recorded[] = [];
  readonly #app: FastifyInstance;
  readonly #namespace: string;
  readonly #config: ArmRouteConfig;

  constructor(app: FastifyInstance, namespace: string, config: ArmRouteConfig) {
    this.#app = app;
    this.#namespace = namespace;
    this.#config = config;
  }

  add(method: Method, url: string, handler: Handler): void {
    this.#app.route({ method, url, config: this.#config, handler });
    this.#recorded.push({ method, segments: url.split('/').slice(1), handler });
  }

  /** Once every route is added: the namespace route that serves the other casings (`host`: the ARM names). */
  async serveAnyCasing(host: RegExp): Promise<void> {
    await armProviderRoute(this.#app, host, {
      namespace: this.#namespace,
      methods: [...new Set(this.#recorded.map((route) => route.method))],
      config: this.#config,
      handler: (request, reply) => this.#dispatch(request, reply),
    });
  }

  #dispatch(request: FastifyRequest, reply: FastifyReply): unknown {
    const { subscriptionId, '*': rest } = request.params as { subscriptionId: string; '*': string };
    const segments = withoutEmptyParentPath(['subscriptions', subscriptionId, ...rest.split('/')]);
    if (segments.at(-1) === '') segments.pop();
    for (const route of this.#recorded) {
      if (route.method !== request.method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matched = route.segments.every((pattern, index) => {
        const actual = segments[index] as string;
        if (!pattern.startsWith(':')) return pattern.toLowerCase() === actual.toLowerCase();
        params[pattern.slice(1)] = actual;
        return actual !== '';
      });
      if (matched) {
        request.params = params;
        return route.handler(request, reply);
      }
    }
    throw new CredlessError('arm_route_not_found', {
      method: request.method,
      path: request.url.split('?')[0],
    });
  }
}

/**
 * ARM's generic resource path is `…/providers/{namespace}/{parentResourcePath}/{type}/{name}`; az's
 * `az resource` commands (azure-mgmt-resource) send an empty parent path for a top-level resource, so
 * the path reads `…/providers/Microsoft.ContainerService//managedClusters/{name}`, which ARM serves as
 * the resource itself. That one empty segment goes; any other empty segment still matches no route.
 */
export function withoutEmptyParentPath(segments: string[]): string[] {
  return segments.filter(
    (segment, index) =>
      segment !== '' ||
      index < 2 ||
      segments[index - 2]?.toLowerCase() !== 'providers' ||
      (segments[index - 1] ?? '') === '' ||
      index === segments.length - 1,
  );
}
