/**
 * `GET …/pods/<name>/log` as the kubelet answers it through the API server: the output of the
 * container's current run (or the previous run, `previous=true`), its last `tailLines` lines, at most
 * `limitBytes`; with `follow=true` the output streams as the container writes it and the answer ends
 * when that run ends. Refusals in kube's words: no container named when the pod has several, an
 * unknown container, a container that has not started yet. The local cluster keeps no timestamp per
 * line, so `timestamps=true` is refused, and a `sinceSeconds`/`sinceTime` only answered when the
 * whole run falls inside it (an exact answer, or none).
 * @module
 */
import { open } from 'node:fs/promises';
import { CredlessError } from '@credless/core';
import type { FastifyReply } from 'fastify';
import type { PodObject } from '../runtime/manifests/objects.ts';
import type { ContainerView, PodRunner } from '../runtime/pods/pod-runner.ts';
import type { KubeStreams } from './kube-streams.ts';

/** How often a follow looks for new output and whether the run ended. */
const FOLLOW_POLL_MS = 100;

/** What logs need of the runtime (ClusterRuntime has it). */
export interface LogRuntime {
  pod(namespace: string, name: string): PodRunner | undefined;
  logFile(pod: PodObject, container: string): string;
}

const badRequest = (reason: string) => new CredlessError('kube_request_invalid', { reason });

interface LogRequest {
  container: ContainerView;
  file: string;
  start: number;
  /** Where the previous run's output ends; undefined: the current run, to the end of the file. */
  end: number | undefined;
  tailLines: number | undefined;
  limitBytes: number | undefined;
  follow: boolean;
}

export async function serveLogs(
  streams: KubeStreams,
  reply: FastifyReply,
  runtime: LogRuntime,
  namespace: string,
  name: string,
  query: URLSearchParams,
): Promise<void> {
  const runner = runtime.pod(namespace, name);
  if (!runner) throw new CredlessError('kube_object_not_found', { resource: 'pods', name });
  const wanted = logRequest(runtime, runner, query);
  const initial = await readRange(wanted.file, wanted.start, wanted.end);
  let text = wanted.tailLines === undefined ? initial : lastLines(initial, wanted.tailLines);
  if (wanted.limitBytes !== undefined) text = text.subarray(0, wanted.limitBytes);
  if (
    !wanted.follow ||
    runner.containers().find((c) => c.name === wanted.container.name)?.state !== 'running'
  ) {
    // Not returned: the (thenable) reply would hold this promise until the answer is written.
    reply.code(200).header('cache-control', 'no-store').type('text/plain').send(text);
    return;
  }

  let offset = wanted.start + initial.length;
  let sent = text.length;
  let timer: NodeJS.Timeout | undefined;
  const stream = streams.open(reply, 'text/plain', () => clearTimeout(timer));
  const write = (chunk: Buffer) => {
    const room = wanted.limitBytes === undefined ? chunk.length : wanted.limitBytes - sent;
    if (room <= 0) return false;
    stream.write(chunk.subarray(0, room));
    sent += Math.min(room, chunk.length);
    return room >= chunk.length || wanted.limitBytes === undefined;
  };
  if (text.length > 0) stream.write(text);
  const runStart = wanted.container.logStart;
  const poll = async () => {
    if (stream.ended) return;
    // The run first, then the file: a run seen ended has all its output in the file already.
    const now = runner.containers().find((c) => c.name === wanted.container.name);
    const same =
      runtime.pod(namespace, name) === runner && now?.state === 'running' && now.logStart === runStart;
    const next = await readRange(wanted.file, offset, same ? undefined : nextRunStart(now, runStart));
    offset += next.length;
    const more = next.length === 0 || write(next);
    if (!same || !more) return stream.end();
    timer = setTimeout(() => void poll().catch(() => stream.end()), FOLLOW_POLL_MS);
  };
  timer = setTimeout(() => void poll().catch(() => stream.end()), FOLLOW_POLL_MS);
}

/** Validates the query against the pod (kube's messages) and finds the bytes it names. */
function logRequest(runtime: LogRuntime, runner: PodRunner, query: URLSearchParams): LogRequest {
  const pod = runner.pod.metadata.name;
  const containers = runner.containers();
  const asked = query.get('container');
  if (!asked && containers.length !== 1)
    throw badRequest(
      `a container name must be specified for pod ${pod}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
    );
  const container = asked ? containers.find((c) => c.name === asked) : containers[0];
  if (!container) throw badRequest(`container ${asked} is not valid for pod ${pod}`);
  if (query.get('timestamps') === 'true')
    throw badRequest('timestamps=true: the local cluster does not record a time for each log line');
  const previous = query.get('previous') === 'true';
  const follow = query.get('follow') === 'true';
  const start = previous ? container.previousLogStart : container.logStart;
  if (start === undefined)
    throw badRequest(
      previous
        ? `previous terminated container "${container.name}" in pod "${pod}" not found`
        : `container "${container.name}" in pod "${pod}" is waiting to start: ${waitingText(container.reason)}`,
    );
  checkSince(query, previous ? undefined : container.startedAt);
  return {
    container,
    file: runtime.logFile(runner.pod, container.name),
    start,
    end: previous ? container.logStart : undefined,
    tailLines: count(query, 'tailLines'),
    limitBytes: count(query, 'limitBytes'),
    follow: follow && !previous,
  };
}

/** How the kubelet words a container that has not started, by its waiting reason. */
function waitingText(reason: string | undefined): string {
  if (reason === 'ErrImagePull') return 'trying and failing to pull image';
  if (reason === 'ImagePullBackOff') return "image can't be pulled";
  return reason ?? 'ContainerCreating';
}

/** sinceSeconds/sinceTime: answered only when the run started inside the window (then all of it is). */
function checkSince(query: URLSearchParams, runStartedAt: string | undefined): void {
  const seconds = count(query, 'sinceSeconds');
  const time = query.get('sinceTime');
  if (seconds === undefined && !time) return;
  const since = seconds !== undefined ? Date.now() - seconds * 1000 : Date.parse(time as string);
  if (Number.isNaN(since)) throw badRequest(`sinceTime "${time}" is not an RFC 3339 time`);
  if (runStartedAt === undefined || Date.parse(runStartedAt) < since)
    throw badRequest(
      `the container's run started before ${new Date(since).toISOString()} and the local cluster does not record a time for each log line: leave out --since/--since-time, or use --tail`,
    );
}

function count(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text))
    throw badRequest(`${name}: Invalid value: "${text}": must be a non-negative integer`);
  return Number(text);
}

/** Where the run after `runStart` begins (its output is not this run's), if one began. */
function nextRunStart(now: ContainerView | undefined, runStart: number | undefined): number | undefined {
  return now?.logStart !== undefined && now.logStart !== runStart ? now.logStart : undefined;
}

async function readRange(file: string, start: number, end: number | undefined): Promise<Buffer> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const size = (await handle.stat()).size;
    const stop = Math.min(end ?? size, size);
    if (stop <= start) return Buffer.alloc(0);
    const buffer = Buffer.alloc(stop - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The last `n` lines (a final line without its newline counts). */
function lastLines(text: Buffer, n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  let index = text.length;
  if (text[index - 1] === 0x0a) index--;
  for (let seen = 0; index > 0; index--) {
    if (text[index - 1] === 0x0a && ++seen === n) break;
  }
  return text.subarray(index);
}
