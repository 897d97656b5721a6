/**
 * One container as a local process: spawned in its own process group (so `sh -c` children stop with
 * it), stdout and stderr appended to its log file, restarted per restartPolicy with the kubelet's
 * doubling back-off (here 1 s up to 30 s, reset after 10 s of good running).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ContainerState {
  state: 'waiting' | 'running' | 'terminated';
  reason?: string | undefined;
  message?: string | undefined;
  exitCode?: number | undefined;
  restartCount: number;
  pid?: number | undefined;
  startedAt?: string | undefined;
  /** Where this run's output starts in the log file, and the previous run's (`kubectl logs --previous`). */
  logStart?: number | undefined;
  previousLogStart?: number | undefined;
  /** How the latest run that ended ended (the kubelet's lastState while the container waits or runs again). */
  lastTerminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string } | undefined;
}

export interface ContainerProcessOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  restartPolicy: RestartPolicy;
  backoff?: { initialMs: number; maxMs: number };
  stopGraceMs?: number;
  /** The container's state changed (started, exited, waiting to restart). */
  onStatus?: (status: ContainerState) => void;
}

const GOOD_RUN_MS = 10_000;

export class ContainerProcess {
  #options: ContainerProcessOptions;
  #child: ChildProcess | undefined;
  #status: ContainerState = { state: 'waiting', reason: 'ContainerCreating', restartCount: 0 };
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #backoffMs: number;
  #exited: Promise<void> = Promise.resolve();
  #logStart: number | undefined;
  #previousLogStart: number | undefined;
  #lastTerminated: ContainerState['lastTerminated'];

  constructor(options: ContainerProcessOptions) {
    this.#options = options;
    this.#backoffMs = options.backoff?.initialMs ?? 1000;
  }

  get status(): ContainerState {
    return {
      ...this.#status,
      logStart: this.#logStart,
      previousLogStart: this.#previousLogStart,
      lastTerminated: this.#lastTerminated,
    };
  }

  start(): void {
    if (this.#stopping) return;
    const [file, ...args] = this.#options.argv as [string, ...string[]];
    const startedAt = Date.now();
    let child: ChildProcess;
    try {
      const log = openSync(this.#options.logFile, 'a', 0o600);
      this.#previousLogStart = this.#logStart;
      this.#logStart = fstatSync(log).size;
      try {
        child = spawn(file, args, {
          cwd: this.#options.cwd,
          env: this.#options.env,
          stdio: ['ignore', log, log],
          detached: true,
        });
      } finally {
        closeSync(log);
      }
    } catch (error) {
      // A synchronous failure (log file gone, invalid argument) is a failed start, not a credless crash:
      // this runs from a restart timer, where a throw would end the whole process.
      const message = `StartError: ${(error as Error).message}`;
      this.#note(message);
      this.#settle(127, startedAt, message);
      return;
    }
    this.#child = child;
    this.#status = {
      state: 'running',
      restartCount: this.#status.restartCount,
      pid: child.pid,
      startedAt: new Date(startedAt).toISOString(),
    };
    this.#options.onStatus?.(this.status);
    this.#exited = new Promise((resolve) => {
      child.once('error', (error) => {
        // spawn failed (no such command): reported as the container's own failure, in its log too.
        this.#note(`failed to start ${file}: ${error.message}`);
        this.#onExit(127, startedAt, `StartError: ${error.message}`);
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.#onExit(code ?? (signal ? 128 + 15 : 1), startedAt);
        resolve();
      });
    });
  }

  /**
   * Runs the container again from another image (the kubelet after the pod's spec changed it): the
   * run in progress is stopped, the new one counts as a restart (`--previous` shows the old run's log).
   */
  async restartWith(next: Pick<ContainerProcessOptions, 'argv' | 'env' | 'cwd'>): Promise<void> {
    await this.stop();
    this.#options = { ...this.#options, ...next };
    this.#stopping = false;
    this.#backoffMs = this.#options.backoff?.initialMs ?? 1000;
    this.#status = { ...this.#status, restartCount: this.#status.restartCount + 1 };
    this.start();
  }

  /** SIGTERM to the process group, SIGKILL after the grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {}
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), this.#options.stopGraceMs ?? 5000);
    await this.#exited;
    clearTimeout(timer);
    // Children of the process that outlived it (same group) get no grace.
    kill('SIGKILL');
  }

  #onExit(exitCode: number, startedAt: number, message?: string): void {
    // 'error' and 'exit' can both come for one child: the first one counts.
    if (this.#child === undefined) return;
    this.#child = undefined;
    this.#settle(exitCode, startedAt, message);
  }

  /** After a process ended (or could not start): terminated, or CrashLoopBackOff and a restart. */
  #settle(exitCode: number, startedAt: number, message?: string): void {
    const restartCount = this.#status.restartCount;
    this.#lastTerminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date().toISOString(),
    };
    const policy = this.#options.restartPolicy;
    const restart = !this.#stopping && (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      this.#status = {
        state: 'terminated',
        reason: exitCode === 0 ? 'Completed' : 'Error',
        exitCode,
        message,
        restartCount,
      };
      this.#options.onStatus?.(this.status);
      return;
    }
    if (Date.now() - startedAt >= GOOD_RUN_MS) this.#backoffMs = this.#options.backoff?.initialMs ?? 1000;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#options.backoff?.maxMs ?? 30_000, delay * 2);
    this.#status = {
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      message:
        message ??
        `back-off ${Math.round(delay / 1000)}s restarting failed container (exit code ${exitCode})`,
      exitCode,
      restartCount,
    };
    this.#options.onStatus?.(this.status);
    this.#restartTimer = setTimeout(() => {
      this.#status.restartCount = restartCount + 1;
      this.start();
    }, delay);
  }

  #note(line: string): void {
    try {
      const fd = openSync(this.#options.logFile, 'a', 0o600);
      writeSync(fd, `${line}\n`);
      closeSync(fd);
    } catch {}
  }
}
