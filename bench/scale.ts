/**
 * `npm run bench:scale` (`node --import tsx bench/scale.ts`): token-exchange throughput of credless
 * with 10 federated credentials on one application versus 1,000,000, on SQLite and on PostgreSQL, side
 * by side in one run. Each size gets its own credless child (CREDLESS_FIC_LIMIT=none) on a fresh store,
 * bulk-loaded straight through SQL in large batches inside transactions; both children stay up and
 * are measured in alternating rounds (medians). Every request carries a unique assertion whose subject
 * is one of the loaded credentials (10 subjects spread across the set). Ends with one JSON line per store.
 *
 * Environment: BENCH_SCALE_CREDENTIALS (1000000), BENCH_DURATION_SECONDS (8), BENCH_WARMUP_SECONDS (2),
 * BENCH_CONNECTIONS (16), BENCH_ROUNDS (3), BENCH_SCALE_STORES (sqlite,postgres),
 * BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test; 'none' skips PostgreSQL).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { sql } from 'kysely';
import { openDatabase } from '../packages/server/src/store/database.ts';
import { generateAssertions, tokenRequestBody } from './assertions.ts';
import { type ChildServer, startChildServer } from './lib/child-server.ts';
import { type BodyPool, runLoad } from './lib/load.ts';
import { positiveIntegerEnv, printProgress } from './lib/report.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ISSUER_SUBJECT = 'system:serviceaccount:bench:scenario';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const SMALL = 10;
const SUBJECTS_IN_USE = 10;
const TARGET_RATIO = 0.9;
const large = positiveIntegerEnv('BENCH_SCALE_CREDENTIALS', 1_000_000);
if (large <= SMALL) throw new Error(`BENCH_SCALE_CREDENTIALS must be more than ${SMALL}`);
const durationSeconds = positiveIntegerEnv('BENCH_DURATION_SECONDS', 8);
const warmupSeconds = positiveIntegerEnv('BENCH_WARMUP_SECONDS', 2);
const connections = positiveIntegerEnv('BENCH_CONNECTIONS', 16);
const rounds = positiveIntegerEnv('BENCH_ROUNDS', 3);
/** Sizes the assertion pools; above what this 2-core machine reaches (~2500 rps). */
const MAX_EXPECTED_RPS = 3500;
const postgresUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS_PER_STATEMENT = 1000;
const STATEMENTS_PER_TRANSACTION = 20;

/** BENCH_SCALE_STORES (sqlite,postgres) picks stores; BENCH_DATABASE_URL=none also skips PostgreSQL. */
function storesToRun(): Array<'sqlite' | 'postgres'> {
  const wanted = (process.env['BENCH_SCALE_STORES'] ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  for (const store of wanted) {
    if (store !== 'sqlite' && store !== 'postgres')
      throw new Error(`unknown store in BENCH_SCALE_STORES: ${store}`);
  }
  return (wanted as Array<'sqlite' | 'postgres'>).filter(
    (store) => store === 'sqlite' || postgresUrl !== 'none',
  );
}

const subjectOf = (index: number) => `system:serviceaccount:bench:workload-${index}`;

interface ScenarioInfo {
  url: string;
  tenantId: string;
  appId: string;
  applicationObjectId: string;
  dataDir: string;
}

/** Bulk-inserts credentials 0..count-1 for the scenario's application, straight into its store. */
async function insertCredentials(
  location: { databaseUrl?: string; dataDir: string; schema?: string },
  info: ScenarioInfo,
  issuer: string,
  count: number,
): Promise<void> {
  const database = await openDatabase(location);
  const started = performance.now();
  const createdAt = Date.now();
  try {
    let next = 0;
    while (next < count) {
      await database.db.transaction().execute(async (trx) => {
        for (let s = 0; s < STATEMENTS_PER_TRANSACTION && next < count; s++) {
          const rows = [];
          for (let r = 0; r < ROWS_PER_STATEMENT && next < count; r++, next++) {
            rows.push({
              id: `bench-${next}-${randomBytes(4).toString('hex')}`,
              tenant_id: info.tenantId,
              application_id: info.applicationObjectId,
              name: `bench-${next}`,
              issuer,
              subject: subjectOf(next),
              claims_matching_expression: null,
              audience: FEDERATION_AUDIENCE,
              description: null,
              created_at: createdAt,
            });
          }
          await trx.insertInto('federated_identity_credentials').values(rows).execute();
        }
      });
      const seconds = (performance.now() - started) / 1000;
      printProgress(
        `    inserting credentials: ${next}/${count} (${((next / count) * 100).toFixed(0)}%) ${(next / seconds).toFixed(0)}/s`,
        next >= count,
      );
    }
    await settle(database);
  } finally {
    await database.close();
  }
}

/**
 * Leaves the store as a long-running deployment would have it: fresh planner statistics, and the bulk
 * load's WAL written back, so that background maintenance (autovacuum, checkpoints) triggered by the
 * load does not run during the measurement and count against the large scenario.
 */
async function settle(database: Awaited<ReturnType<typeof openDatabase>>): Promise<void> {
  if (database.dialect === 'postgres') {
    await sql`vacuum (analyze) federated_identity_credentials`.execute(database.db);
    // CHECKPOINT needs superuser (or pg_checkpoint): skip it where the role may not.
    await sql`checkpoint`.execute(database.db).catch(() => undefined);
  } else {
    await sql`analyze federated_identity_credentials`.execute(database.db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(database.db);
  }
}

/** Resident set size of a process, from /proc (Linux). */
function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Scenario {
  credentials: number;
  child: ChildServer<ScenarioInfo>;
  target: { url: string; path: string; pool: BodyPool; connections: number };
  rps: number[];
  rssMb: number | undefined;
  stop(): Promise<void>;
}

/** Starts a credless child on a fresh store, bulk-loads it and signs its assertions; does not measure. */
async function prepareScenario(options: {
  store: 'sqlite' | 'postgres';
  credentials: number;
  issuer: TestOidcIssuer;
  workDir: string;
}): Promise<Scenario> {
  const schema = `bench_scale_${randomBytes(6).toString('hex')}`;
  const databaseUrl = options.store === 'postgres' ? `${postgresUrl}?schema=${schema}` : undefined;
  const dropSchema = async () => {
    if (!databaseUrl) return;
    const admin = await openDatabase({ databaseUrl: postgresUrl, dataDir: tmpdir() });
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    } finally {
      await admin.close();
    }
  };
  console.log(`  preparing ${options.store} with ${options.credentials} credentials:`);
  const child = await startChildServer<ScenarioInfo>({
    name: `credless (${options.store})`,
    script: join(BENCH_DIR, 'servers/scale-credless-server.ts'),
    credlessRuntime: true,
    env: {
      TMPDIR: options.workDir,
      BENCH_ISSUER: options.issuer.issuer,
      BENCH_ISSUER_CA_PEM: options.issuer.caCertPem,
      BENCH_SUBJECT: ISSUER_SUBJECT,
      ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}),
    },
  }).catch(async (error: unknown) => {
    await dropSchema();
    throw error;
  });
  const stop = async () => {
    await child.stop();
    await dropSchema();
  };
  try {
    const location = databaseUrl
      ? { databaseUrl: postgresUrl, dataDir: tmpdir(), schema }
      : { dataDir: child.info.dataDir };
    // The scenario already holds one credential (its own subject); the rest are bulk-loaded.
    const loaded = options.credentials - 1;
    await insertCredentials(location, child.info, options.issuer.issuer, loaded);
    // Subjects spread across the whole set, so lookups land all over the index.
    const subjects = Array.from({ length: SUBJECTS_IN_USE }, (_, i) =>
      subjectOf(Math.floor(((i + 0.5) * loaded) / SUBJECTS_IN_USE)),
    );
    const assertions = await generateAssertions({
      label: '    assertions',
      count: (warmupSeconds + durationSeconds * rounds) * MAX_EXPECTED_RPS + 2000,
      sign: (index) =>
        options.issuer.issueToken({ sub: subjects[index % subjects.length]!, aud: FEDERATION_AUDIENCE }),
      progress: printProgress,
    });
    const pool: BodyPool = {
      label: `${options.store}-${options.credentials}`,
      bodies: assertions.map((assertion) =>
        tokenRequestBody(assertion, { client_id: child.info.appId, scope: `${GRAPH_RESOURCE_URI}/.default` }),
      ),
      next: 0,
    };
    const target = {
      url: child.info.url,
      path: `/${child.info.tenantId}/oauth2/v2.0/token`,
      pool,
      connections,
    };
    const warmup = await runLoad({ ...target, durationSeconds: warmupSeconds });
    if (warmup.ok === 0)
      throw new Error(`warm-up had no successful exchange: ${JSON.stringify(warmup.statusCodes)}`);
    return { credentials: options.credentials, child, target, rps: [], rssMb: undefined, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function measure(scenario: Scenario, store: string): Promise<void> {
  const measured = await runLoad({ ...scenario.target, durationSeconds });
  if (measured.non2xx + measured.errors > 0 || measured.exhausted) {
    throw new Error(
      `${store} ${scenario.credentials}: ${measured.non2xx} non-2xx, ${measured.errors} errors${measured.exhausted ? ', assertion pool exhausted' : ''}`,
    );
  }
  scenario.rps.push(measured.rps);
  scenario.rssMb = rssMb(scenario.child.pid);
  console.log(
    `    ${store}, ${String(scenario.credentials).padStart(String(large).length)} credentials: ${measured.rps.toFixed(0)} rps (p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms), credless RSS ${scenario.rssMb?.toFixed(0) ?? '?'} MB`,
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Both sizes are prepared first, then measured in alternating rounds (medians), so that a burst of
 * other load on the machine does not land on one size only. */
async function benchStore(
  store: 'sqlite' | 'postgres',
  issuer: TestOidcIssuer,
  workDir: string,
): Promise<string> {
  const prepared: Scenario[] = [];
  try {
    for (const credentials of [SMALL, large]) {
      prepared.push(await prepareScenario({ store, credentials, issuer, workDir }));
    }
    const [small, big] = prepared as [Scenario, Scenario];
    for (let round = 0; round < rounds; round++) {
      console.log(`  ${store}: round ${round + 1}/${rounds}`);
      for (const scenario of round % 2 ? [big, small] : [small, big]) await measure(scenario, store);
    }
    const rpsSmall = median(small.rps);
    const rpsLarge = median(big.rps);
    const ratio = rpsLarge / rpsSmall;
    console.log(
      `  ${store}: ${rpsSmall.toFixed(0)} rps at ${SMALL} → ${rpsLarge.toFixed(0)} rps at ${large} (medians): ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO})${ratio >= TARGET_RATIO ? '' : ' BELOW TARGET'}`,
    );
    return JSON.stringify({
      bench: 'scale',
      store,
      credentials: large,
      ratio: Number(ratio.toFixed(3)),
      rps_small: Math.round(rpsSmall),
      rps_large: Math.round(rpsLarge),
      rss_mb: big.rssMb === undefined ? null : Math.round(big.rssMb),
    });
  } finally {
    for (const scenario of prepared) await scenario.stop().catch((error) => console.error(error));
  }
}

async function main(): Promise<void> {
  console.log(
    `federated credentials at scale: ${SMALL} vs ${large} credentials on one application, ${connections} connections, ${warmupSeconds} s warm-up, ${rounds} alternating rounds of ${durationSeconds} s`,
  );
  const workDir = await mkdtemp(join(tmpdir(), 'credless-bench-scale-'));
  const issuer = await startTestOidcIssuer({ keyAlg: 'RS256', kidStyle: 'kubernetes' });
  const summaries: string[] = [];
  try {
    for (const store of storesToRun()) summaries.push(await benchStore(store, issuer, workDir));
  } finally {
    await issuer.close();
    await rm(workDir, { recursive: true, force: true });
  }
  for (const line of summaries) console.log(line);
}

await main();
