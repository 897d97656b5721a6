/**
 * `npm run bench:admission`: admissions per second and latency of the credless webhook over HTTPS on
 * loopback, every ServiceAccount a cache hit. The webhook runs in its own child process; autocannon
 * posts one realistic AdmissionReview (a two-container pod with env, mounts and volumes) over
 * keep-alive connections. Checked first with one certificate-verified admission whose patch must
 * apply. Targets: >= 5,000 admissions/s and p99 < 5 ms. Ends with one JSON line for machines.
 *
 * Environment: BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (16).
 * @module
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import fastJsonPatch from 'fast-json-patch';
import { Agent, request } from 'undici';
import { startChildServer } from './lib/child-server.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import { formatRow, positiveIntegerEnv } from './lib/report.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const TARGET_RPS = 5000;
const TARGET_P99_MS = 5;
const NON_2XX_LIMIT = 0.001;

const durationSeconds = positiveIntegerEnv('BENCH_DURATION_SECONDS', 10);
const warmupSeconds = positiveIntegerEnv('BENCH_WARMUP_SECONDS', 2);
const connections = positiveIntegerEnv('BENCH_CONNECTIONS', 16);

const container = (name: string) => ({
  name,
  image: `registry.example/${name}:1.4.2`,
  ports: [{ containerPort: 8080, protocol: 'TCP' }],
  env: [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ],
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
});

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'backend-7d9c6b5f4-',
    namespace: 'bench',
    labels: { app: 'backend', 'azure.workload.identity/use': 'true', 'pod-template-hash': '7d9c6b5f4' },
    annotations: { 'azure.workload.identity/skip-containers': 'sidecar' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'backend-7d9c6b5f4',
        uid: 'f0e1d2c3-0000-4000-8000-000000000001',
        controller: true,
      },
    ],
  },
  spec: {
    serviceAccountName: 'workload',
    containers: [container('backend'), container('sidecar')],
    volumes: [{ name: 'config', configMap: { name: 'backend-config' } }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
  },
};

const review = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'bench',
    operation: 'CREATE',
    userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
    object: pod,
    dryRun: false,
  },
});

async function checkOnce(url: string, caCertPem: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: caCertPem } });
  try {
    const response = await request(`${url}/mutate-v1-pod`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: review,
      dispatcher,
    });
    const body = (await response.body.json()) as { response?: { allowed?: boolean; patch?: string } };
    if (response.statusCode !== 200 || body.response?.allowed !== true || !body.response.patch)
      throw new Error(
        `sanity admission failed: ${response.statusCode} ${JSON.stringify(body).slice(0, 300)}`,
      );
    const patch = JSON.parse(
      Buffer.from(body.response.patch, 'base64').toString(),
    ) as fastJsonPatch.Operation[];
    fastJsonPatch.applyPatch(structuredClone(pod), patch, true, false);
  } finally {
    await dispatcher.close();
  }
}

async function run(url: string, seconds: number) {
  return autocannon({
    url: `${url}/mutate-v1-pod`,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: review }],
  });
}

async function main(): Promise<number> {
  console.log(
    `admission benchmark: ${connections} connections, HTTPS keep-alive, ${warmupSeconds} s warm-up + ${durationSeconds} s, ServiceAccount cache hits, ${review.length}-byte AdmissionReview`,
  );
  const server = await startChildServer<{ url: string; caCertPem: string }>({
    name: 'webhook',
    script: join(BENCH_DIR, 'servers/admission-server.ts'),
    env: { BENCH_CLIENT_ID: CLIENT_ID },
  });
  try {
    // autocannon does not verify certificates; this one admission does.
    await checkOnce(server.info.url, server.info.caCertPem);
    await run(server.info.url, warmupSeconds);
    const cpuBefore = processCpuMs(server.pid);
    const result = await run(server.info.url, durationSeconds);
    const cpuAfter = processCpuMs(server.pid);
    const requests = result.requests.total;
    const rps = requests / result.duration;
    const failures = result.non2xx + result.errors + result.timeouts;
    const cpuPerRequest =
      cpuBefore !== undefined && cpuAfter !== undefined && requests > 0
        ? (cpuAfter - cpuBefore) / requests
        : undefined;
    const load = loadavg().map((value) => value.toFixed(2));
    console.log();
    console.log(
      formatRow(['server', 'rps', 'p50 ms', 'p99 ms', 'requests', 'failures', 'cpu/req', 'target']),
    );
    console.log(
      formatRow([
        'credless webhook',
        rps.toFixed(0),
        result.latency.p50.toFixed(2),
        result.latency.p99.toFixed(2),
        String(requests),
        String(failures),
        cpuPerRequest === undefined ? 'n/a' : `${cpuPerRequest.toFixed(3)}`,
        rps >= TARGET_RPS && result.latency.p99 < TARGET_P99_MS ? 'met' : 'MISSED',
      ]),
    );
    console.log(
      `\ntargets: >= ${TARGET_RPS} admissions/s, p99 < ${TARGET_P99_MS} ms; load average ${load.join(' ')}`,
    );
    console.log(
      JSON.stringify({
        bench: 'admission',
        rps: Math.round(rps),
        p99_ms: result.latency.p99,
        p50_ms: result.latency.p50,
        requests,
        failures,
        cpu_ms_per_request: cpuPerRequest === undefined ? null : Number(cpuPerRequest.toFixed(4)),
        connections,
        duration_s: durationSeconds,
        loadavg_1m: Number(load[0]),
      }),
    );
    if (requests === 0 || failures / requests > NON_2XX_LIMIT) {
      console.error(
        `too many failures: ${failures} of ${requests} (status codes ${JSON.stringify(result.statusCodeStats)})`,
      );
      return 1;
    }
    return 0;
  } finally {
    await server.stop();
  }
}

process.exitCode = await main();
