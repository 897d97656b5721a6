/**
 * The running side of a local cluster: its pods (admitted once, at creation, then run as processes), its
 * Service ports and the Deployment controller that replaces deleted or failed pods between applies. The
 * objects themselves, their saving and the write path stay with ClusterRuntime, which this reaches
 * through {@link WorkloadObjects}.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import { Agent } from 'undici';
import { PodAdmission } from './admission/pod-admission.ts';
import { DeploymentController } from './deployment-controller.ts';
import { ownedBy, ownerDeploymentKey, plan, podFromTemplate } from './deployments.ts';
import type { ClusterEvents, WatchEventType } from './events.ts';
import { involved, recordAdmission, recordScaling } from './events-recorder.ts';
import { ImagePuller } from './images/pull.ts';
import {
  type DeploymentObject,
  type KubeObject,
  keyOf,
  objectKey,
  type PodObject,
  type ServiceAccountObject,
  type ServiceObject,
} from './manifests/objects.ts';
import { hostEnvironment, type LocalService } from './pods/container-env.ts';
import { PodRunner } from './pods/pod-runner.ts';
import type { ClusterRuntimeOptions } from './runtime-options.ts';
import { ServicePorts } from './services/service-ports.ts';
import { deploymentView, podView, serviceView } from './views.ts';
import type { TokenProjector } from './volumes/token-projector.ts';

export const NODE_NAME = 'credless-local';

/** What the workloads need of the cluster that holds them: its objects and how it changes them. */
export interface WorkloadObjects {
  readonly dir: string;
  readonly events: ClusterEvents;
  readonly projector: TokenProjector;
  /** The cluster's objects by key (shared: the workloads read them and add admitted pods). */
  readonly objects: Map<string, KubeObject>;
  changed(type: WatchEventType, object: KubeObject): void;
  deleteObject(object: KubeObject): Promise<void>;
  save(): Promise<void>;
  serial<T>(work: () => Promise<T>): Promise<T>;
}

export class ClusterWorkloads {
  readonly #options: ClusterRuntimeOptions;
  readonly #cluster: WorkloadObjects;
  readonly #pods = new Map<string, PodRunner>();
  readonly #ports = new ServicePorts((key, servicePort) => this.#endpoints(key, servicePort));
  readonly #puller: ImagePuller;
  readonly #dispatcher: Agent | undefined;
  readonly #controller: DeploymentController;
  readonly #admission: PodAdmission;
  #closed = false;

  constructor(options: ClusterRuntimeOptions, cluster: WorkloadObjects) {
    this.#options = options;
    this.#cluster = cluster;
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
      reconcile: (key) => cluster.serial(() => this.#replace(key)),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
  }

  pods(namespace?: string) {
    return [...this.#pods.values()]
      .filter((runner) => namespace === undefined || runner.pod.metadata.namespace === namespace)
      .map(podView);
  }

  deployments(namespace?: string) {
    return [...this.#cluster.objects.values()]
      .filter((o): o is DeploymentObject => o.kind === 'Deployment')
      .filter((d) => namespace === undefined || d.metadata.namespace === namespace)
      .map((d) => deploymentView(d, this.runnersOf(d), this.deploymentState(d)));
  }

  services(namespace?: string) {
    return this.#serviceObjects()
      .filter((s) => namespace === undefined || s.metadata.namespace === namespace)
      .map((s) => serviceView(s, this.#ports.proxies(s)));
  }

  runner(key: string): PodRunner | undefined {
    return this.#pods.get(key);
  }

  /** The runners of the pods a Deployment owns. */
  runnersOf(deployment: DeploymentObject): PodRunner[] {
    return [...this.#pods.values()].filter((r) => ownedBy(r.pod, deployment));
  }

  deploymentState(deployment: DeploymentObject) {
    return this.#controller.state(keyOf(deployment));
  }

  async logs(namespace: string, name: string, container?: string): Promise<string> {
    const runner = this.#pods.get(objectKey('Pod', namespace, name));
    if (!runner) throw new CredlessError('runtime_object_not_found', { kind: 'Pod', name, namespace });
    const containers = runner.pod.spec?.containers ?? [];
    const chosen = container ?? (containers.length === 1 ? containers[0]?.name : undefined);
    if (!chosen || !containers.some((c) => c.name === chosen))
      throw new CredlessError('runtime_manifest_invalid', {
        source: `pod ${namespace}/${name}`,
        reason: `choose a container with -c: one of ${containers.map((c) => c.name).join(', ')}`,
      });
    return readFile(this.logFile(runner.pod, chosen), 'utf8').catch(() => '');
  }

  /** A container's log file: its runs one after the other (ContainerState.logStart says where each starts). */
  logFile(pod: PodObject, container: string): string {
    return join(this.#podDir(pod), 'logs', `${container}.log`);
  }

  /** The Deployment controller sees a pod of this Deployment gone and replaces it. */
  podDeleted(deploymentKey: string): void {
    this.#controller.podDeleted(deploymentKey);
  }

  /** A Deployment applied (again): the controller resets its back-off and the pods are reconciled. */
  async deploymentApplied(deployment: DeploymentObject, source: string): Promise<void> {
    this.#controller.applied(keyOf(deployment));
    await this.#reconcile(deployment, source);
  }

  openService(service: ServiceObject): Promise<void> {
    return this.#ports.open(service);
  }

  /** What deleting an object of a workload kind stops (its object is already out of the store). */
  async removed(object: KubeObject): Promise<void> {
    const key = keyOf(object);
    if (object.kind === 'Pod') {
      const runner = this.#pods.get(key);
      this.#pods.delete(key);
      this.#ownerChanged(object);
      this.#cluster.projector.forget(key);
      await runner?.stop();
      await rm(this.#podDir(object), { recursive: true, force: true });
    } else if (object.kind === 'Deployment') {
      this.#controller.forget(key);
      for (const pod of this.#podObjects().filter((p) => ownedBy(p, object)))
        await this.#cluster.deleteObject(pod);
    } else if (object.kind === 'ServiceAccount') {
      await this.#admission.forgetServiceAccount(object.metadata.namespace, object.metadata.name);
    } else if (object.kind === 'Service') {
      await this.#ports.close(object);
    }
  }

  /** Admits a new pod through the webhook, stores the admitted pod and runs it. */
  async createPod(pod: PodObject, source: string): Promise<void> {
    pod.spec = { ...pod.spec, containers: pod.spec?.containers ?? [] };
    pod.spec.serviceAccountName ??= 'default';
    pod.spec.nodeName = NODE_NAME;
    pod.metadata.uid ??= randomUUID();
    pod.metadata.creationTimestamp ??= new Date().toISOString() as never;
    const accounts = [...this.#cluster.objects.values()].filter(
      (o): o is ServiceAccountObject => o.kind === 'ServiceAccount',
    );
    const admitted = await this.#admission.admit(pod, source, accounts);
    this.#cluster.objects.set(keyOf(admitted), admitted);
    this.#cluster.changed('ADDED', admitted);
    recordAdmission(this.#cluster.events, pod, admitted, NODE_NAME);
    this.run(admitted);
  }

  /** Starts an admitted pod's containers (at creation, and again for saved pods on restore). */
  run(pod: PodObject): void {
    const { cluster } = this.#options;
    const { events, projector, objects } = this.#cluster;
    const issue = this.#options.credless.issueServiceAccountToken;
    const owner = ownerDeploymentKey(pod);
    const runner: PodRunner = new PodRunner(pod, {
      podDir: this.#podDir(pod),
      puller: this.#puller,
      hostEnv: hostEnvironment(this.#options.hostEnv ?? process.env, this.#options.credless.caPath),
      services: () => this.#localServices(),
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
      ...(this.#options.stopGraceMs !== undefined ? { stopGraceMs: this.#options.stopGraceMs } : {}),
      onFailed: (failure) => {
        // Only a pod still in place counts (not one being deleted or replaced).
        if (owner && this.#pods.get(keyOf(pod)) === runner && objects.has(owner))
          this.#controller.failed(owner, failure.reason, `pod ${pod.metadata.name}: ${failure.message}`);
      },
      onStarted: () => {
        if (owner) this.#controller.started(owner);
      },
      onChange: () => {
        const current = objects.get(keyOf(pod));
        if (current?.kind !== 'Pod' || this.#pods.get(keyOf(pod)) !== runner) return;
        this.#cluster.changed('MODIFIED', current);
        this.#ownerChanged(current);
      },
      record: (type, reason, message, container) =>
        events.record(involved(pod, container), type, reason, message),
      volumes: {
        configMap: (namespace, name) => objects.get(objectKey('ConfigMap', namespace, name)) as never,
        projectToken: (file, source) =>
          projector.project(keyOf(pod), file, () =>
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

  /** Stops every pod and port (their objects stay saved for the next start). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#controller.close();
    await this.#cluster.serial(async () => {
      await Promise.all([...this.#pods.values()].map((runner) => runner.stop()));
      this.#pods.clear();
      await this.#ports.closeAll();
      this.#cluster.projector.close();
      await this.#admission.close();
      await this.#dispatcher?.close();
    });
  }

  /** Creates and removes pods so the Deployment has its replicas; returns how many pods were created. */
  async #reconcile(deployment: DeploymentObject, source: string): Promise<number> {
    const failed = (pod: PodObject) => this.#pods.get(keyOf(pod))?.failed === true;
    const { remove, create, hash } = plan(deployment, this.#podObjects(), failed);
    const owned = this.#podObjects().filter((p) => ownedBy(p, deployment));
    recordScaling(this.#cluster.events, deployment, owned, remove, create, hash);
    for (const pod of remove) await this.#cluster.deleteObject(pod);
    for (let i = 0; i < create; i++) await this.createPod(podFromTemplate(deployment, hash), source);
    return create;
  }

  /** A pod's change changes its Deployment's status too (ready, available replicas). */
  #ownerChanged(pod: PodObject): void {
    const owner = ownerDeploymentKey(pod);
    const deployment = owner ? this.#cluster.objects.get(owner) : undefined;
    if (deployment) this.#cluster.changed('MODIFIED', deployment);
  }

  /** The controller's pass, between applies: replacements for deleted or failed pods. */
  async #replace(deploymentKey: string): Promise<void> {
    const deployment = this.#cluster.objects.get(deploymentKey) as DeploymentObject | undefined;
    if (!deployment || this.#closed) return;
    try {
      const created = await this.#reconcile(deployment, `deployment ${deployment.metadata.name}`);
      this.#controller.replaced(deploymentKey, created);
    } finally {
      await this.#cluster.save();
    }
  }

  #endpoints(serviceKey: string, servicePort: number) {
    const service = this.#cluster.objects.get(serviceKey) as ServiceObject | undefined;
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
    return [...this.#cluster.objects.values()].filter((o): o is PodObject => o.kind === 'Pod');
  }

  #serviceObjects(): ServiceObject[] {
    return [...this.#cluster.objects.values()].filter((o): o is ServiceObject => o.kind === 'Service');
  }

  #podDir(pod: PodObject): string {
    return join(this.#cluster.dir, 'pods', pod.metadata.namespace, pod.metadata.name);
  }
}
