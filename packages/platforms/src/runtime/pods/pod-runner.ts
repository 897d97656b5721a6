/**
 * The kubelet for one pod: pulls its images as the cluster identity (retrying with back-off while
 * refused: ErrImagePull, then ImagePullBackOff), lays out its volumes and projected tokens, and runs
 * each container as a local process with its mapped environment, cwd = the image directory and logs
 * in `<pod dir>/logs/<container>.log`. Each declared containerPort gets a free host port; PORT is
 * the first one's (the app should listen on $PORT; an undeclared port is used as is).
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container as Container } from '@kubernetes/client-node';
import { containerArgv, type ImageConfig, readImageConfig } from '../images/image-command.ts';
import type { ImagePuller } from '../images/pull.ts';
import type { PodObject } from '../manifests/objects.ts';
import { ContainerProcess, type ContainerState, type RestartPolicy } from '../process/container-process.ts';
import type { Endpoint } from '../services/service-proxy.ts';
import { freePort } from '../services/service-proxy.ts';
import { containerMounts, mapPath, prepareVolumes, type VolumeContext } from '../volumes/pod-volumes.ts';
import { containerEnvironment, type LocalService } from './container-env.ts';

export interface PodRunnerDeps {
  podDir: string;
  puller: Pick<ImagePuller, 'pull'>;
  volumes: Omit<VolumeContext, 'podDir'>;
  hostEnv: Record<string, string>;
  services(): LocalService[];
  backoff?: { initialMs: number; maxMs: number };
  stopGraceMs?: number;
  /** The pod cannot start and will not retry by itself (its owner may replace it). */
  onFailed?: (failure: { reason: string; message: string }) => void;
  /** Every container process was started (the pod got past its configuration). */
  onStarted?: () => void;
  /** Something the pod's status shows changed (a pull, a container started or exited). */
  onChange?: () => void;
  /** A kubelet Event about the pod, or one of its containers. */
  record?: (type: 'Normal' | 'Warning', reason: string, message: string, container?: string) => void;
}

export interface ContainerView extends ContainerState {
  name: string;
  image: string;
  ports: Array<{ containerPort: number; hostPort: number }>;
}

export class PodRunner {
  readonly pod: PodObject;
  readonly #deps: PodRunnerDeps;
  readonly #processes = new Map<string, ContainerProcess>();
  readonly #waiting = new Map<string, { reason: string; message?: string }>();
  readonly #ports = new Map<string, Map<number, number>>();
  /** The image each started container runs (the spec may name a newer one while it is pulled). */
  readonly #images = new Map<string, string>();
  /** Image changes being carried out, per container, one after the other. */
  readonly #reimaging = new Map<string, Promise<void>>();
  readonly #sleepers = new Set<() => void>();
  #stopped = false;
  #failure: { reason: string; message: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #starting: Promise<void> = Promise.resolve();

  constructor(pod: PodObject, deps: PodRunnerDeps) {
    this.pod = pod;
    this.#deps = deps;
    for (const c of pod.spec?.containers ?? []) this.#waiting.set(c.name, { reason: 'ContainerCreating' });
  }

  start(): void {
    this.#starting = this.#run(this.#deps.backoff?.initialMs ?? 1000).catch((error: unknown) =>
      this.#fail(error),
    );
  }

  /** True once the pod failed for good (phase Failed). */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  #fail(error: unknown): void {
    if (this.#stopped) return;
    this.#failure = { reason: 'CreateContainerConfigError', message: (error as Error).message };
    this.#deps.record?.('Warning', 'Failed', `Error: ${this.#failure.message}`);
    this.#deps.onChange?.();
    this.#deps.onFailed?.(this.#failure);
  }

  async #run(backoffMs: number): Promise<void> {
    if (this.#stopped) return;
    const images = new Map<string, { directory: string; config: ImageConfig | undefined }>();
    let refused = false;
    for (const container of this.pod.spec?.containers ?? []) {
      const pullStarted = Date.now();
      const pulled = await this.#deps.puller.pull(container.image as string);
      if (!pulled.ok) {
        refused = true;
        const seen = this.#waiting.get(container.name)?.reason;
        const reason =
          seen === 'ErrImagePull' || seen === 'ImagePullBackOff' ? 'ImagePullBackOff' : 'ErrImagePull';
        this.#waiting.set(container.name, { reason, message: pulled.message });
        this.#record(
          'Warning',
          'Failed',
          `Failed to pull image "${container.image}": ${pulled.message}`,
          container.name,
        );
        this.#record('Warning', 'Failed', `Error: ${reason}`, container.name);
      } else {
        this.#record(
          'Normal',
          'Pulled',
          `Successfully pulled image "${container.image}" in ${Date.now() - pullStarted}ms`,
          container.name,
        );
        images.set(container.name, {
          directory: pulled.directory,
          config: await readImageConfig(pulled.directory),
        });
      }
    }
    if (this.#stopped) return;
    this.#deps.onChange?.();
    if (refused) {
      // As the kubelet: keep trying, doubling the wait; an attach or a build fixes the pod by itself.
      const next = Math.min(backoffMs * 2, this.#deps.backoff?.maxMs ?? 30_000);
      this.#timer = setTimeout(() => {
        this.#starting = this.#run(next).catch((error: unknown) => this.#fail(error));
      }, backoffMs);
      return;
    }
    const { podDir } = this.#deps;
    await prepareVolumes(this.pod, { ...this.#deps.volumes, podDir });
    await mkdir(join(podDir, 'logs'), { recursive: true, mode: 0o700 });
    const policy = (this.pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
    for (const container of this.pod.spec?.containers ?? []) {
      const image = images.get(container.name) as { directory: string; config: ImageConfig | undefined };
      const ports = new Map<number, number>();
      for (const p of container.ports ?? []) ports.set(p.containerPort, await freePort());
      this.#ports.set(container.name, ports);
      const process_ = new ContainerProcess({
        ...this.#launch(container, image),
        logFile: join(podDir, 'logs', `${container.name}.log`),
        restartPolicy: policy,
        ...(this.#deps.backoff ? { backoff: this.#deps.backoff } : {}),
        ...(this.#deps.stopGraceMs !== undefined ? { stopGraceMs: this.#deps.stopGraceMs } : {}),
        onStatus: (status) => this.#containerChanged(container.name, status),
      });
      if (this.#stopped) return;
      this.#processes.set(container.name, process_);
      this.#images.set(container.name, container.image as string);
      this.#waiting.delete(container.name);
      process_.start();
    }
    this.#deps.onStarted?.();
  }

  /** A container's command line, environment and directory, from its image. */
  #launch(container: Container, image: { directory: string; config: ImageConfig | undefined }) {
    const mounts = containerMounts(container, this.#deps.podDir);
    const env = containerEnvironment({
      pod: this.pod,
      container,
      mounts,
      imageEnv: image.config?.env ?? {},
      hostEnv: this.#deps.hostEnv,
      configMap: this.#deps.volumes.configMap,
      services: this.#deps.services(),
      port: [...(this.#ports.get(container.name)?.values() ?? [])][0],
    });
    const argv = containerArgv(container, image.config);
    if (!argv)
      throw new Error(
        `container ${container.name}: no command: set command in the pod spec or ship credless-image.json / a package.json start script in the image`,
      );
    return { argv: argv.map((word) => mapPath(word, mounts)), env, cwd: image.directory };
  }

  /**
   * The pod's spec now names other images (an update may change only those): as the kubelet, each
   * started container whose image changed is stopped, the new image pulled (with back-off while
   * refused) and run as that container's next restart. One that ended for good stays ended.
   */
  imagesChanged(): void {
    for (const container of this.pod.spec?.containers ?? []) {
      const { name } = container;
      const started = this.#processes.get(name);
      if (!started || started.status.state === 'terminated' || this.#images.get(name) === container.image)
        continue;
      const next = (this.#reimaging.get(name) ?? Promise.resolve())
        .then(() => this.#reimage(name))
        .catch((error: unknown) => this.#fail(error));
      this.#reimaging.set(name, next);
    }
  }

  async #reimage(name: string): Promise<void> {
    const process_ = this.#processes.get(name);
    const spec = () => this.pod.spec?.containers.find((c) => c.name === name);
    if (this.#stopped || !process_ || this.#images.get(name) === spec()?.image) return;
    this.#waiting.set(name, { reason: 'ContainerCreating' });
    if (process_.status.state === 'running')
      this.#record('Normal', 'Killing', `Container ${name} definition changed, will be restarted`, name);
    await process_.stop();
    let backoffMs = this.#deps.backoff?.initialMs ?? 1000;
    for (;;) {
      const container = spec();
      if (this.#stopped || !container) return;
      const image = container.image as string;
      const pullStarted = Date.now();
      const pulled = await this.#deps.puller.pull(image);
      if (this.#stopped) return;
      if (pulled.ok) {
        this.#record(
          'Normal',
          'Pulled',
          `Successfully pulled image "${image}" in ${Date.now() - pullStarted}ms`,
          name,
        );
        const launch = this.#launch(container, {
          directory: pulled.directory,
          config: await readImageConfig(pulled.directory),
        });
        if (this.#stopped) return;
        this.#images.set(name, image);
        this.#waiting.delete(name);
        await process_.restartWith(launch);
        return;
      }
      const seen = this.#waiting.get(name)?.reason;
      const reason =
        seen === 'ErrImagePull' || seen === 'ImagePullBackOff' ? 'ImagePullBackOff' : 'ErrImagePull';
      this.#waiting.set(name, { reason, message: pulled.message });
      this.#record('Warning', 'Failed', `Failed to pull image "${image}": ${pulled.message}`, name);
      this.#record('Warning', 'Failed', `Error: ${reason}`, name);
      this.#deps.onChange?.();
      await this.#sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, this.#deps.backoff?.maxMs ?? 30_000);
    }
  }

  /** A wait that stop() cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  /** The kubelet's Events for a container's state changes; then watchers hear of the change. */
  #containerChanged(name: string, status: ContainerState): void {
    if (status.state === 'running') {
      this.#record('Normal', 'Created', `Created container ${name}`, name);
      this.#record('Normal', 'Started', `Started container ${name}`, name);
    } else if (status.state === 'waiting' && status.reason === 'CrashLoopBackOff' && !this.#stopped) {
      const pod = `${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.pod.metadata.uid ?? ''})`;
      this.#record('Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${pod}`, name);
    }
    this.#deps.onChange?.();
  }

  #record(type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    this.#deps.record?.(type, reason, message, container);
  }

  /** Where a Service's targetPort reaches this pod, when it is running. */
  endpoint(targetPort: number | string): Endpoint | undefined {
    if (this.phase() !== 'Running') return undefined;
    for (const container of this.pod.spec?.containers ?? []) {
      for (const p of container.ports ?? []) {
        if (p.containerPort === targetPort || (p.name !== undefined && p.name === targetPort)) {
          const hostPort = this.#ports.get(container.name)?.get(p.containerPort);
          if (hostPort !== undefined) return { host: '127.0.0.1', port: hostPort };
        }
      }
    }
    return typeof targetPort === 'number' ? { host: '127.0.0.1', port: targetPort } : undefined;
  }

  containers(): ContainerView[] {
    return (this.pod.spec?.containers ?? []).map((c) => {
      const proc = this.#processes.get(c.name);
      const waiting = this.#waiting.get(c.name);
      const state: ContainerState = proc
        ? waiting
          ? // Between two images: waiting for the new one, the old run as its last state.
            {
              ...proc.status,
              state: 'waiting',
              ...waiting,
              pid: undefined,
              startedAt: undefined,
              exitCode: undefined,
            }
          : proc.status
        : {
            state: 'waiting',
            reason: this.#failure?.reason ?? waiting?.reason,
            message: this.#failure?.message ?? waiting?.message,
            restartCount: 0,
          };
      const ports = [...(this.#ports.get(c.name) ?? new Map<number, number>())].map(
        ([containerPort, hostPort]) => ({ containerPort, hostPort }),
      );
      return { name: c.name, image: this.#images.get(c.name) ?? (c.image as string), ...state, ports };
    });
  }

  phase(): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
    if (this.#failure) return 'Failed';
    const containers = this.containers();
    if (containers.every((c) => c.state === 'terminated'))
      return containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
    if (this.#processes.size === containers.length) return 'Running';
    return 'Pending';
  }

  /** kubectl's STATUS column: the first container problem, else the phase. */
  statusText(): string {
    for (const c of this.containers()) if (c.state === 'waiting' && c.reason) return c.reason;
    for (const c of this.containers()) if (c.state === 'terminated' && c.exitCode !== 0) return 'Error';
    const phase = this.phase();
    return phase === 'Succeeded' ? 'Completed' : phase;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const wake of [...this.#sleepers]) wake();
    await this.#starting;
    await Promise.all(this.#reimaging.values());
    for (const [name, process_] of this.#processes)
      if (process_.status.state === 'running')
        this.#record('Normal', 'Killing', `Stopping container ${name}`, name);
    await Promise.all([...this.#processes.values()].map((p) => p.stop()));
  }
}
