/**
 * A container's environment as a local process sees it. In order (later wins): a few host variables
 * (PATH, HOME, LANG, TMPDIR), NODE_EXTRA_CA_CERTS (the credless CA, so pods trust the token service),
 * HOSTNAME, the image's env, Kubernetes' service variables (`<SVC>_SERVICE_HOST/_PORT`), envFrom, env.
 * Then two documented rewrites: container paths inside volume mounts → host paths (pod-volumes.ts), and
 * in-cluster Service URLs (`http://<svc>[.<ns>[.svc[.cluster.local]]][:port]`) → the Service's localhost
 * port. Finally PORT is set to the host port of the first containerPort (see pod-runner.ts).
 * @module
 */
import type { V1Container } from '@kubernetes/client-node';
import type { ConfigMapObject, PodObject } from '../manifests/objects.ts';
import { type Mount, mapPath, VolumeError } from '../volumes/pod-volumes.ts';

export interface LocalService {
  namespace: string;
  name: string;
  /** service port → host port on 127.0.0.1 */
  ports: Map<number, number>;
}

export interface EnvContext {
  pod: PodObject;
  container: V1Container;
  mounts: readonly Mount[];
  imageEnv: Record<string, string>;
  hostEnv: Record<string, string>;
  configMap(namespace: string, name: string): ConfigMapObject | undefined;
  services: readonly LocalService[];
  /** Host port of the container's first containerPort, if it declares one. */
  port?: number | undefined;
}

const HOST_VARIABLES = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT'];

export function hostEnvironment(env: NodeJS.ProcessEnv, caPath: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of HOST_VARIABLES) if (env[name] !== undefined) out[name] = env[name] as string;
  if (caPath) out['NODE_EXTRA_CA_CERTS'] = caPath;
  return out;
}

export function containerEnvironment(ctx: EnvContext): Record<string, string> {
  const { pod, container } = ctx;
  const env: Record<string, string> = { ...ctx.hostEnv, HOSTNAME: pod.metadata.name, ...ctx.imageEnv };
  for (const service of ctx.services) {
    if (service.namespace !== pod.metadata.namespace) continue;
    const first = [...service.ports.values()][0];
    if (first === undefined) continue;
    const prefix = service.name.toUpperCase().replaceAll('-', '_');
    env[`${prefix}_SERVICE_HOST`] = '127.0.0.1';
    env[`${prefix}_SERVICE_PORT`] = String(first);
  }
  const namespace = pod.metadata.namespace;
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) throw new VolumeError('envFrom: only configMapRef is supported locally');
    const configMap = ctx.configMap(namespace, source.configMapRef.name ?? '');
    if (!configMap) {
      if (source.configMapRef.optional) continue;
      throw new VolumeError(`configmap "${source.configMapRef.name}" not found`);
    }
    for (const [key, value] of Object.entries(configMap.data ?? {}))
      env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const value = resolveValue(variable, ctx);
    if (value !== undefined) env[variable.name] = value;
  }
  for (const [name, value] of Object.entries(env))
    env[name] = mapServiceUrl(mapPath(value, ctx.mounts), namespace, ctx.services);
  if (ctx.port !== undefined) env['PORT'] = String(ctx.port);
  return env;
}

function resolveValue(
  variable: NonNullable<V1Container['env']>[number],
  ctx: EnvContext,
): string | undefined {
  if (!variable.valueFrom) return variable.value ?? '';
  const { configMapKeyRef, fieldRef } = variable.valueFrom;
  if (configMapKeyRef) {
    const value = ctx.configMap(ctx.pod.metadata.namespace, configMapKeyRef.name ?? '')?.data?.[
      configMapKeyRef.key
    ];
    if (value === undefined && !configMapKeyRef.optional)
      throw new VolumeError(
        `env ${variable.name}: configmap "${configMapKeyRef.name}" has no key "${configMapKeyRef.key}"`,
      );
    return value;
  }
  if (fieldRef) {
    const fields: Record<string, string | undefined> = {
      'metadata.name': ctx.pod.metadata.name,
      'metadata.namespace': ctx.pod.metadata.namespace,
      'metadata.uid': ctx.pod.metadata.uid,
      'spec.serviceAccountName': ctx.pod.spec?.serviceAccountName,
      'spec.nodeName': ctx.pod.spec?.nodeName,
      'status.podIP': '127.0.0.1',
      'status.hostIP': '127.0.0.1',
    };
    if (fieldRef.fieldPath in fields) return fields[fieldRef.fieldPath];
    throw new VolumeError(`env ${variable.name}: fieldRef ${fieldRef.fieldPath} is not supported locally`);
  }
  throw new VolumeError(
    `env ${variable.name}: only value, configMapKeyRef and fieldRef are supported locally`,
  );
}

/** http(s)://<svc>[.<ns>[.svc[.cluster.local]]][:port]/… → http(s)://127.0.0.1:<host port>/… */
export function mapServiceUrl(value: string, namespace: string, services: readonly LocalService[]): string {
  if (!/^https?:\/\//.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  const [name, ns = namespace, ...rest] = url.hostname.split('.');
  const suffix = rest.join('.');
  if (suffix !== '' && suffix !== 'svc' && suffix !== 'svc.cluster.local') return value;
  const service = services.find((s) => s.name === name && s.namespace === ns);
  if (!service) return value;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const hostPort = service.ports.get(port);
  if (hostPort === undefined) return value;
  const rewritten = new URL(value);
  rewritten.hostname = '127.0.0.1';
  rewritten.port = String(hostPort);
  // Keep the caller's text exactly when it had no path (URL adds a trailing slash).
  return url.pathname === '/' && !value.replace(/^https?:\/\/[^/]*/, '').startsWith('/')
    ? rewritten.href.replace(/\/$/, '')
    : rewritten.href;
}
