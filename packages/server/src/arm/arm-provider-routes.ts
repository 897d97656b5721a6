/**
 * Routing of Resource Manager paths by resource provider. ARM nests a provider's resources under any
 * scope (`/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.ContainerService/managedClusters/
 * {c}/providers/Microsoft.Authorization/roleAssignments/{id}`), in any casing, which fixed routes
 * cannot express. So such a provider takes the wildcard route `/subscriptions/:subscriptionId/*` too,
 * constrained to the namespace after the path's LAST `/providers/` segment (lower-cased); other paths
 * stay with the unconstrained route (resource groups).
 *
 * The constraint also carries the ARM host check: find-my-way keeps one handler per host pattern at a
 * path, so two routes at the same path under the same host regex would shadow each other. The
 * provider route drops the plugin's host constraint and its strategy derives a namespace only for
 * requests to the ARM host names.
 * @module
 */
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import type { ArmRouteConfig } from './arm-providers-catalogue.ts';

const STRATEGY = 'armProvider';
const PROVIDERS = '/providers/';

/** The namespace after the last `/providers/` of a request path, lower-cased (e.g. `microsoft.authorization`). */
export function armProviderOf(url: string): string | undefined {
  const path = (url.split('?')[0] as string).toLowerCase();
  const index = path.lastIndexOf(PROVIDERS);
  if (index < 0) return undefined;
  return path.slice(index + PROVIDERS.length).split('/')[0] || undefined;
}

/** Once per server (the router is shared by every plugin context); `host` matches the ARM host names. */
function addStrategy(app: FastifyInstance, host: RegExp): void {
  if (app.hasConstraintStrategy(STRATEGY)) return;
  app.addConstraintStrategy({
    name: STRATEGY,
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (value: string) => handlers.get(value) ?? null,
        set: (value: string, handler: unknown) => void handlers.set(value, handler),
      };
    },
    deriveConstraint: (request) =>
      host.test(request.headers.host ?? '') ? armProviderOf(request.url ?? '') : undefined,
    mustMatchWhenDerived: false,
  } as Parameters<FastifyInstance['addConstraintStrategy']>[0]);
}

export interface ArmProviderRoute {
  namespace: string;
  methods: readonly ('GET' | 'HEAD' | 'PUT' | 'PATCH' | 'POST' | 'DELETE')[];
  /** The api-versions the provider accepts (checked by arm-plugin.ts). */
  config: ArmRouteConfig;
  handler: RouteHandlerMethod;
}

/** Routes `/subscriptions/:subscriptionId/*` requests to the ARM `host` whose last provider is `route.namespace`. */
export async function armProviderRoute(app: FastifyInstance, host: RegExp, route: ArmProviderRoute) {
  addStrategy(app, host);
  await app.register(async (scoped) => {
    // After the plugin's own hook (parents' hooks run first): the strategy checks the host instead.
    scoped.addHook('onRoute', (options) => {
      const { host: _host, ...rest } = options.constraints ?? {};
      options.constraints = rest;
    });
    scoped.route({
      method: [...route.methods],
      url: '/subscriptions/:subscriptionId/*',
      exposeHeadRoute: false,
      constraints: { [STRATEGY]: route.namespace.toLowerCase() },
      config: route.config,
      handler: route.handler,
    });
  });
}
