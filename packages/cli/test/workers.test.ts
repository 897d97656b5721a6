/**
 * `credless up --workers 2` as a user runs it (the built binary): two worker processes behind one port
 * behave as one server. Each exchange goes over a new connection, which the cluster hands to the workers
 * in turn, so both serve; /metrics tells which worker answered how many.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createAdminGraphClient,
  startTestOidcIssuer,
  startThrowawayPostgres,
  throwawayPostgresUnavailableReason,
} from '@credless/testkit';
import { Agent, request } from 'undici';
import { childPids } from '../../../bench/lib/process-cpu.ts';
import { startCredlessUp } from './run-binary.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const SUBJECT = 'system:serviceaccount:prod:api';
const EXCHANGES = 24;
/** What every exchange must get: a token, or AADSTS700211 (no federated credential matches). */
const ISSUED = { status: 200, errorCode: undefined };
const NO_MATCHING_CREDENTIAL = { status: 401, errorCode: 700211 };

type Answer = { status: number; body: { access_token?: string; error_codes?: number[] } };

function assertAll(answers: Answer[], expected: { status: number; errorCode: number | undefined }): void {
  for (const answer of answers) {
    assert.equal(answer.status, expected.status, JSON.stringify(answer.body));
    assert.equal(answer.body.error_codes?.[0], expected.errorCode, JSON.stringify(answer.body));
  }
}

/** Polls `check` until it holds (a process coming or going), failing after `timeoutMs`. */
async function eventually(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(100);
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A metric's samples (Prometheus text format): each one's label set and value. */
function metricSamples(text: string, name: string): Array<{ labels: string; value: number }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      return { labels: line.slice(name.length, line.lastIndexOf(' ')), value };
    });
}

/**
 * Two workers serving one server: a change through either is seen by both at once, both write sign-in
 * records, /metrics adds them up, SIGTERM stops every process; `killOne`: a killed worker is replaced.
 */
async function twoWorkersScenario(store: NodeJS.ProcessEnv, { killOne }: { killOne: boolean }) {
  const workDir = await mkdtemp(join(tmpdir(), 'credless-workers-'));
  const issuer = await startTestOidcIssuer({ keyAlg: 'RS256' });
  const issuerCa = join(workDir, 'issuer-ca.pem');
  await writeFile(issuerCa, issuer.caCertPem);
  const dataDir = join(workDir, 'data');
  const up = await startCredlessUp(dataDir, {
    ...store,
    CREDLESS_ISSUER_CA_FILE: issuerCa,
    CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS: 'true',
    // Only the relay through the primary can make a change visible on the other worker in time.
    CREDLESS_DIRECTORY_POLL_MS: '60000',
  });
  try {
    const authority = /authority host\s+(\S+)/.exec(up.banner)?.[1];
    const tenantId = /default tenant\s+(\S+)/.exec(up.banner)?.[1];
    const caPath = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(up.banner)?.[1];
    assert.ok(authority && tenantId && caPath, up.banner);
    assert.match(up.banner, /2 worker processes on one port/);
    const workers = childPids(up.pid);
    assert.equal(workers.length, 2, `the primary ${up.pid} runs two workers: ${workers}`);
    const ca = await readFile(caPath, 'utf8');

    // One connection for the administrator; every exchange on a new one, so the workers take turns.
    const adminAgent = new Agent({ connect: { ca } });
    const graph = await createAdminGraphClient({ url: authority, dataDir, dispatcher: adminAgent });
    const exchangeOnNewConnection = async () => {
      const agent = new Agent({ connect: { ca } });
      try {
        const response = await request(`${authority}/${tenantId}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: appId,
            scope: 'https://graph.microsoft.com/.default',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE }),
          }).toString(),
          dispatcher: agent,
        });
        const body = (await response.body.json()) as Answer['body'];
        return { status: response.statusCode, body };
      } finally {
        await agent.close();
      }
    };
    const exchangeMany = () =>
      Promise.all(Array.from({ length: EXCHANGES }, () => exchangeOnNewConnection()));
    const metrics = async () => {
      const response = await request(`${authority}/metrics`, { dispatcher: adminAgent });
      assert.equal(response.statusCode, 200);
      return response.body.text();
    };
    const workerLabels = async () =>
      metricSamples(await metrics(), 'credless_worker_token_exchanges_total').map((s) => s.labels);

    const app = await graph.request<{ id: string; appId: string }>('POST', '/applications', {
      displayName: 'workers-test',
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const appId = app.body!.appId;
    const objectId = app.body!.id;
    assert.equal((await graph.request('POST', '/servicePrincipals', { appId })).status, 201);

    // No credential yet: every worker refuses, and remembers that there is none.
    assertAll(await exchangeMany(), NO_MATCHING_CREDENTIAL);

    // Created through the Graph API (on either worker): usable at once on every worker.
    const created = await graph.request('POST', `/applications/${objectId}/federatedIdentityCredentials`, {
      name: 'prod-api',
      issuer: issuer.issuer,
      subject: SUBJECT,
      audiences: [AUDIENCE],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertAll(await exchangeMany(), ISSUED);

    // Every worker's exchanges are in the one sign-in log (on SQLite, written by the primary for all).
    const signIns = async () => {
      const answer = await graph.request<{ value: Array<{ appId: string; status: { errorCode: number } }> }>(
        'GET',
        '/auditLogs/signIns?$top=1000',
      );
      return (answer.body?.value ?? []).filter((record) => record.appId === appId);
    };
    let recorded: Awaited<ReturnType<typeof signIns>> = [];
    for (let attempt = 0; attempt < 50 && recorded.length < 2 * EXCHANGES; attempt++) {
      await delay(200);
      recorded = await signIns();
    }
    assert.equal(recorded.length, 2 * EXCHANGES, 'one sign-in record per exchange, from both workers');
    assert.equal(recorded.filter((record) => record.status.errorCode === 0).length, EXCHANGES);

    // /metrics sums the workers, and says that both served.
    const text = await metrics();
    const perWorker = metricSamples(text, 'credless_worker_token_exchanges_total');
    assert.equal(perWorker.length, 2, text);
    for (const sample of perWorker) assert.ok(sample.value > 0, `worker ${sample.labels} served: ${text}`);
    const total = metricSamples(text, 'credless_token_exchanges_total').reduce((sum, s) => sum + s.value, 0);
    assert.equal(
      total,
      perWorker.reduce((sum, s) => sum + s.value, 0),
      'the exchanges counted are the sum over the workers',
    );
    assert.ok(total >= 2 * EXCHANGES, `${total} exchanges counted`);

    // Deleted: refused at once on every worker.
    const deleted = await graph.request(
      'DELETE',
      `/applications/${objectId}/federatedIdentityCredentials(name='prod-api')`,
    );
    assert.equal(deleted.status, 204);
    assertAll(await exchangeMany(), NO_MATCHING_CREDENTIAL);

    if (killOne) await replacesAKilledWorker();
    await adminAgent.close();

    // SIGTERM to the primary stops every process.
    const stopped = childPids(up.pid);
    assert.equal(await up.stop(), 0, up.stderr());
    for (const pid of [...stopped, up.pid]) assert.equal(isAlive(pid), false, `process ${pid} stopped`);

    /** A killed worker is replaced, and the replacement serves. */
    async function replacesAKilledWorker() {
      const [victim, survivor] = workers as [number, number];
      const labelsBefore = await workerLabels();
      process.kill(victim, 'SIGKILL');
      await eventually('the killed worker is replaced', () => {
        const now = childPids(up.pid);
        return now.length === 2 && !now.includes(victim) && now.includes(survivor);
      });
      let labelsAfter: string[] = [];
      for (let attempt = 0; attempt < 30; attempt++) {
        assertAll(await exchangeMany(), NO_MATCHING_CREDENTIAL);
        labelsAfter = await workerLabels();
        if (labelsAfter.some((label) => !labelsBefore.includes(label))) break;
        await delay(500);
      }
      assert.equal(labelsAfter.length, 2, `two workers serve: ${labelsAfter}`);
      assert.ok(
        labelsAfter.some((label) => !labelsBefore.includes(label)),
        `a new worker serves: before ${labelsBefore}, after ${labelsAfter}`,
      );
    }
  } finally {
    up.kill();
    await issuer.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

test('credless up --workers 2 on SQLite: one server on one port, a killed worker replaced', () =>
  twoWorkersScenario({ CREDLESS_WORKERS: '2' }, { killOne: true }));

const pgUnavailable = throwawayPostgresUnavailableReason();
test('credless up on PostgreSQL: one worker per CPU by default, one server on one port', {
  skip: pgUnavailable ? `needs a throw-away PostgreSQL: ${pgUnavailable}` : false,
}, async () => {
  const pg = await startThrowawayPostgres();
  try {
    // The default (no CREDLESS_WORKERS) is one per CPU; on a machine with another count than 2, ask for 2.
    const workers = availableParallelism() === 2 ? {} : { CREDLESS_WORKERS: '2' };
    await twoWorkersScenario({ CREDLESS_DATABASE_URL: pg.url, ...workers }, { killOne: false });
  } finally {
    await pg.destroy();
  }
});
