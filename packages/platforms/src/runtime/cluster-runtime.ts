/**
 * One local cluster at run time: its objects (kept in `<data>/clusters/<name>/objects.json` so a restart
 * of credless brings the pods back), its webhook, its pods, its Service ports and the Deployment
 * controller that replaces deleted or failed pods between applies. Operations are serialized (the
 * controller's passes too); pods are admitted once, at creation, as the API server does.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import type { ClusterRecord, DirectoryStore } from '@credless/server';
import { Agent } from 'undici';
import type {
  IssuedServiceAccountToken,
  ServiceAccountTokenRequest,
} from '../local-issuers/local-issuers.ts';
import { PodAdmission } from './admission/pod-admission.ts';
import { DeploymentController, type Scheduler } from './deployment-controller.ts';
import { ownedBy, ownerDeploymentKey, plan, podFromTemplate } from './deployments.ts';
import { ImagePuller } from './images/pull.ts';
import {
  type DeploymentObject,
  type Kind,
  type KubeObject,
  keyOf,
  objectKey,
  type PodObject,
  type ServiceAccountObject,
  type ServiceObject,
} from './manifests/objects.ts';
import { hostEnvironment, type LocalService } from './pods/container-env.ts';
import { PodRunner } from './pods/pod-runner.ts';
import { ServicePorts } from './services/service-ports.ts';
import { deploymentView, podView, serviceView } from './views.ts';
import { TokenProjector } from './volumes/token-projector.ts';

export interface CredlessAccess {
  /** Authority host (no trailing slash). */
  url: string;
  caPath?: string | undefined;
  caCertPem?: string | undefined;
  store: DirectoryStore;
  issueServiceAccountToken(
    clusterId: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken>;
}

export interface ClusterRuntimeOptions {
  dataDir: string;
  cluster: ClusterRecord;
  credless: CredlessAccess;
  /** The runtime's clock for token refreshes (tests move it). */
  now?: () => number;
  tokenRefreshIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  stopGraceMs?: number;
  hostEnv?: NodeJS.ProcessEnv;
  /** Timers of the Deployment controller's back-off (tests record the delays). */
  scheduler?: Scheduler;
}

export interface ObjectRef {
  kind: Kind;
  namespace: string;
  name: string;
}

export interface ApplyResult extends ObjectRef {
  action: 'created' | 'configured' | 'unchanged' | 'deleted';
}

export const NODE_NAME = 'credless-local';

export class ClusterRuntime {
  readonly cluster: ClusterRecord;
  readonly dir: string;
  readonly projector: TokenProjector;
  readonly #options: ClusterRuntimeOptions;
  readonly #objects = new Map<string, KubeObject>();
  readonly #pods = new Map<string, PodRunner>();
  readonly #ports = new ServicePorts((key, servicePort) => this.#endpoints(key, servicePort));
  readonly #puller: ImagePuller;
  readonly #dispatcher: Agent | undefined;
  readonly #controller: DeploymentController;
  readonly #admission: PodAdmission;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ClusterRuntimeOptions) {
    this.#options = options;
    this.cluster = options.cluster;
    this.dir = join(options.dataDir, 'clusters', options.cluster.name);
    this.projector = new TokenProjector({
      ...(options.now ? { now: options.now } : {}),
      ...(options.tokenRefreshIntervalMs !== undefined ? { intervalMs: options.tokenRefreshIntervalMs } : {}),
    });
    const { credless } = options;
    this.#dispatcher = credless.caCertPem ? new Agent({ connect: { ca: credless.caCertPem } }) : undefined;
    this.#puller = new ImagePuller({
      store: credless.store,
      tenantId: options.cluster.tenantId,
      dataDir: options.dataDir,
      cluster: options.cluster,
      tokenEndpoint: `${credless.url}/${options.cluster.tenantId}/oauth2/v2.0/token`,
      dispatcher: this.#dispatcher,
      issueServiceAccountToken: (id, request) => credless.issueServiceAccountToken(id, request),
    });
    this.#admission = new PodAdmission({
      certDir: join(options.dataDir, 'clusters', '.webhook'),
      authorityHost: `${credless.url}/`,
      tenantId: options.cluster.tenantId,
    });
    this.#controller = new DeploymentController({
      reconcile: (key) => this.#serial(() => this.#replace(key)),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
  }

  /** Loads saved objects and starts their pods and Service ports again (no second admission). */
  async restore(): Promise<void> {
    let saved: KubeObject[] = [];
    try {
      saved = JSON.parse(await readFile(join(this.dir, 'objects.json'), 'utf8')) as KubeObject[];
    } catch {}
    await this.#serial(async () => {
      for (const object of saved) this.#objects.set(keyOf(object), object);
      for (const object of saved) {
        if (object.kind === 'Pod') this.#run(object);
        if (object.kind === 'Service') await this.#ports.open(object);
      }
    });
    // Pods that were missing or failed when credless stopped are replaced now.
    for (const object of saved) if (object.kind === 'Deployment') this.#controller.podDeleted(keyOf(object));
  }

  apply(objects: KubeObject[], source: string): Promise<ApplyResult[]> {
    return this.#serial(async () => {
      const results: ApplyResult[] = [];
      // ServiceAccounts and ConfigMaps first: pods admitted in the same apply need them.
      const order: Kind[] = ['ServiceAccount', 'ConfigMap', 'Service', 'Pod', 'Deployment'];
      const sorted = [...objects].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
      try {
        for (const object of sorted) results.push(await this.#applyOne(structuredClone(object), source));
      } finally {
        await this.#save();
      }
      return results;
    });
  }

  delete(refs: ObjectRef[]): Promise<ApplyResult[]> {
    return this.#serial(async () => {
      const results: ApplyResult[] = [];
      const owners = new Set<string>();
      try {
        for (const ref of refs) {
          const object = this.#objects.get(objectKey(ref.kind, ref.namespace, ref.name));
          if (!object)
            throw new CredlessError('runtime_object_not_found', {
              kind: ref.kind,
              name: ref.name,
              namespace: ref.namespace,
            });
          await this.#deleteObject(object);
          const owner = object.kind === 'Pod' ? ownerDeploymentKey(object) : undefined;
          if (owner) owners.add(owner);
          results.push({ ...ref, action: 'deleted' });
        }
      } finally {
        await this.#save();
        // The Deployment controller sees its pod gone and replaces it (unless the Deployment went too).
        for (const owner of owners) if (this.#objects.has(owner)) this.#controller.podDeleted(owner);
      }
      return results;
    });
  }

  pods(namespace?: string) {
    return [...this.#pods.values()]
      .filter((runner) => namespace === undefined || runner.pod.metadata.namespace === namespace)
      .map(podView);
  }

  deployments(namespace?: string) {
    return [...this.#objects.values()]
      .filter((o): o is DeploymentObject => o.kind === 'Deployment')
      .filter((d) => namespace === undefined || d.metadata.namespace === namespace)
      .map((d) =>
        deploymentView(
          d,
          [...this.#pods.values()].filter((r) => ownedBy(r.pod, d)),
          this.#controller.state(keyOf(d)),
        ),
      );
  }

  services(namespace?: string) {
    return this.#serviceObjects()
      .filter((s) => namespace === undefined || s.metadata.namespace === namespace)
      .map((s) => serviceView(s, this.#ports.proxies(s)));
  }

  pod(namespace: string, name: string): PodRunner | undefined {
    return this.#pods.get(objectKey('Pod', namespace, name));
  }

  async logs(namespace: string, name: string, container?: string): Promise<string> {
    const runner = this.pod(namespace, name);
    if (!runner) throw new CredlessError('runtime_object_not_found', { kind: 'Pod', name, namespace });
    const containers = runner.pod.spec?.containers ?? [];
    const chosen = container ?? (containers.length === 1 ? containers[0]?.name : undefined);
    if (!chosen || !containers.some((c) => c.name === chosen))
      throw new CredlessError('runtime_manifest_invalid', {
        source: `pod ${namespace}/${name}`,
        reason: `choose a container with -c: one of ${containers.map((c) => c.name).join(', ')}`,
      });
    return readFile(join(this.#podDir(runner.pod), 'logs', `${chosen}.log`), 'utf8').catch(() => '');
  }

  /** Stops every pod and port (their objects stay saved for the next start). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#controller.close();
    await this.#serial(async () => {
      await Promise.all([...this.#pods.values()].map((runner) => runner.stop()));
      this.#pods.clear();
      await this.#ports.closeAll();
      this.projector.close();
      await this.#admission.close();
      await this.#dispatcher?.close();
    });
  }

  async #applyOne(object: KubeObject, source: string): Promise<ApplyResult> {
    const key = keyOf(object);
    const existing = this.#objects.get(key);
    const ref = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    const applied = existing?.metadata.annotations?.[APPLIED];
    const text = JSON.stringify(object);
    const unchanged = applied === text;
    object.metadata.annotations = { ...object.metadata.annotations, [APPLIED]: text };
    object.metadata.uid = existing?.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp =
      existing?.metadata.creationTimestamp ?? (new Date().toISOString() as never);
    switch (object.kind) {
      case 'ServiceAccount':
      case 'ConfigMap':
        this.#objects.set(key, object);
        break;
      case 'Service':
        if (!unchanged) {
          this.#objects.set(key, object);
          await this.#ports.open(object);
        }
        break;
      case 'Pod':
        if (!unchanged) {
          if (existing) await this.#deleteObject(existing);
          await this.#createPod(object, source);
        }
        break;
      case 'Deployment':
        this.#objects.set(key, unchanged && existing ? existing : object);
        // Always reconciled: an apply retries pods that could not be created before, without back-off.
        this.#controller.applied(key);
        await this.#reconcile(this.#objects.get(key) as typeof object, source);
        break;
    }
    return { ...ref, action: existing ? (unchanged ? 'unchanged' : 'configured') : 'created' };
  }

  async #createPod(pod: PodObject, source: string): Promise<void> {
    pod.spec = { ...pod.spec, containers: pod.spec?.containers ?? [] };
    pod.spec.serviceAccountName ??= 'default';
    pod.spec.nodeName = NODE_NAME;
    pod.metadata.uid ??= randomUUID();
    pod.metadata.creationTimestamp ??= new Date().toISOString() as never;
    const accounts = [...this.#objects.values()].filter(
      (o): o is ServiceAccountObject => o.kind === 'ServiceAccount',
    );
    const admitted = await this.#admission.admit(pod, source, accounts);
    this.#objects.set(keyOf(admitted), admitted);
    this.#run(admitted);
  }

  #run(pod: PodObject): void {
    const podDir = this.#podDir(pod);
    const cluster = this.cluster;
    const issue = this.#options.credless.issueServiceAccountToken;
    const owner = ownerDeploymentKey(pod);
    const runner: PodRunner = new PodRunner(pod, {
      podDir,
      puller: this.#puller,
      hostEnv: hostEnvironment(this.#options.hostEnv ?? process.env, this.#options.credless.caPath),
      services: () => this.#localServices(),
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
      ...(this.#options.stopGraceMs !== undefined ? { stopGraceMs: this.#options.stopGraceMs } : {}),
      onFailed: (failure) => {
        // Only a pod still in place counts (not one being deleted or replaced).
        if (owner && this.#pods.get(keyOf(pod)) === runner && this.#objects.has(owner))
          this.#controller.failed(owner, failure.reason, `pod ${pod.metadata.name}: ${failure.message}`);
      },
      onStarted: () => {
        if (owner) this.#controller.started(owner);
      },
      volumes: {
        configMap: (namespace, name) => this.#objects.get(objectKey('ConfigMap', namespace, name)) as never,
        projectToken: (file, source) =>
          this.projector.project(keyOf(pod), file, () =>
            issue(cluster.id, {
              namespace: pod.metadata.namespace,
              serviceAccount: pod.spec?.serviceAccountName ?? 'default',
              // Without an audience the kubelet asks for the API server's own: the issuer.
              audiences: [source.audience ?? cluster.issuerUrl],
              expirationSeconds: source.expirationSeconds ?? 3600,
              pod: { name: pod.metadata.name, uid: pod.metadata.uid ?? '' },
              node: { name: NODE_NAME, uid: cluster.issuerGuid },
            }),
          ),
      },
    });
    this.#pods.set(keyOf(pod), runner);
    runner.start();
  }

  async #deleteObject(object: KubeObject): Promise<void> {
    const key = keyOf(object);
    this.#objects.delete(key);
    if (object.kind === 'Pod') {
      const runner = this.#pods.get(key);
      this.#pods.delete(key);
      this.projector.forget(key);
      await runner?.stop();
      await rm(this.#podDir(object), { recursive: true, force: true });
    } else if (object.kind === 'Deployment') {
      this.#controller.forget(key);
      for (const pod of this.#podObjects().filter((p) => ownedBy(p, object))) await this.#deleteObject(pod);
    } else if (object.kind === 'ServiceAccount') {
      await this.#admission.forgetServiceAccount(object.metadata.namespace, object.metadata.name);
    } else if (object.kind === 'Service') {
      await this.#ports.close(object);
    }
  }

  /** Creates and removes pods so the Deployment has its replicas; returns how many pods were created. */
  async #reconcile(deployment: DeploymentObject, source: string): Promise<number> {
    const failed = (pod: PodObject) => this.#pods.get(keyOf(pod))?.failed === true;
    const { remove, create, hash } = plan(deployment, this.#podObjects(), failed);
    for (const pod of remove) await this.#deleteObject(pod);
    for (let i = 0; i < create; i++) await this.#createPod(podFromTemplate(deployment, hash), source);
    return create;
  }

  /** The controller's pass, between applies: replacements for deleted or failed pods. */
  async #replace(deploymentKey: string): Promise<void> {
    const deployment = this.#objects.get(deploymentKey) as DeploymentObject | undefined;
    if (!deployment || this.#closed) return;
    try {
      const created = await this.#reconcile(deployment, `deployment ${deployment.metadata.name}`);
      this.#controller.replaced(deploymentKey, created);
    } finally {
      await this.#save();
    }
  }

  #endpoints(serviceKey: string, servicePort: number) {
    const service = this.#objects.get(serviceKey) as ServiceObject | undefined;
    const selector = service?.spec?.selector;
    const port = service?.spec?.ports?.find((p) => p.port === servicePort);
    if (!selector || !port) return [];
    const target = port.targetPort ?? port.port;
    return [...this.#pods.values()]
      .filter((r) => r.pod.metadata.namespace === service.metadata.namespace)
      .filter((r) => Object.entries(selector).every(([k, v]) => r.pod.metadata.labels?.[k] === v))
      .map((r) => r.endpoint(typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : target))
      .filter((e) => e !== undefined);
  }

  #localServices(): LocalService[] {
    return this.#serviceObjects().map((s) => ({
      namespace: s.metadata.namespace,
      name: s.metadata.name,
      ports: new Map(this.#ports.proxies(s).map((p) => [p.port, p.hostPort])),
    }));
  }

  #podObjects(): PodObject[] {
    return [...this.#objects.values()].filter((o): o is PodObject => o.kind === 'Pod');
  }

  #serviceObjects(): ServiceObject[] {
    return [...this.#objects.values()].filter((o): o is ServiceObject => o.kind === 'Service');
  }

  #podDir(pod: PodObject): string {
    return join(this.dir, 'pods', pod.metadata.namespace, pod.metadata.name);
  }

  async #save(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, 'objects.json');
    await writeFile(`${file}.tmp`, JSON.stringify([...this.#objects.values()], null, 1), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** What was applied last (as kubectl's last-applied-configuration): an identical apply changes nothing. */
const APPLIED = 'local.credless.io/last-applied';
