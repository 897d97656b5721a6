/**
 * `npm run bench:cli` (builds, then `node --import tsx bench/cli.ts`): start-up cost of the built
 * `credless` command. Median wall time of CREDLESS_BENCH_RUNS (default 11) runs each of `node -e 0`,
 * `credless --help`, `credless get-token` answered from its token cache, and `credless ad app list`
 * against a running `credless up` (started here), printed as one JSON line with the ratios to
 * `node -e 0` measured in the same run (targets: 3, 3 and 6).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tokenCacheFile, writeCachedToken } from '../packages/cli/src/commands/kube/token-cache.ts';
import { BIN, binaryEnv, startCredlessUp } from '../packages/cli/test/run-binary.ts';
import { positiveIntegerEnv } from './lib/report.ts';

const RUNS = positiveIntegerEnv('CREDLESS_BENCH_RUNS', 11);

/** Runs `args` to its end; throws unless it exits 0 (a failing command would measure nothing). */
function timed(args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return { ms, stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const dir = await mkdtemp(join(tmpdir(), 'credless-bench-cli-'));
const up = await startCredlessUp(join(dir, 'data'), { CREDLESS_LOG_LEVEL: 'error' });
try {
  const authority = /authority host\s+(\S+)/.exec(up.banner)?.[1];
  const caFile = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(up.banner)?.[1];
  if (!authority || !caFile) throw new Error(`cannot read the authority from credless up:\n${up.banner}`);
  const env = binaryEnv({ CREDLESS_CONFIG_DIR: join(dir, 'config'), NODE_EXTRA_CA_CERTS: caFile });
  timed([BIN, 'login', '--local', '--authority', authority, '--data-dir', join(dir, 'data')], env);

  // get-token's cache, primed as a first exchange would leave it: no request is made when it answers.
  const tokenFile = join(dir, 'federated-token');
  await writeFile(tokenFile, 'unused: the cached token answers');
  const cacheDir = join(dir, 'kube-cache');
  const cachedToken = `bench-token-${Date.now()}`;
  const key = { tenantId: 'bench-tenant', clientId: 'bench-client', serverId: 'bench-server' };
  const cacheFile = tokenCacheFile(cacheDir, {
    ...key,
    authorityHost: 'https://login.microsoftonline.com',
    tokenSource: tokenFile,
  });
  await writeCachedToken(cacheFile, cacheDir, {
    accessToken: cachedToken,
    expiresOn: Date.now() + 3_600_000,
  });
  const getTokenEnv = {
    ...env,
    AZURE_TENANT_ID: key.tenantId,
    AZURE_CLIENT_ID: key.clientId,
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
  };
  const getTokenArgs = [BIN, 'get-token', '--login', 'workloadidentity', '--server-id', key.serverId];
  const getTokenArgsWithCache = [...getTokenArgs, '--token-cache-dir', cacheDir];

  const cases: Record<string, { args: string[]; env: NodeJS.ProcessEnv; check?: (stdout: string) => void }> =
    {
      node: { args: ['-e', '0'], env },
      help: { args: [BIN, '--help'], env },
      getTokenCached: {
        args: getTokenArgsWithCache,
        env: getTokenEnv,
        check: (stdout) => {
          if (!stdout.includes(cachedToken))
            throw new Error(`get-token did not answer from its cache: ${stdout}`);
        },
      },
      adAppList: { args: [BIN, 'ad', 'app', 'list'], env },
    };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  // Interleaved, so a change in the machine's load touches every case alike.
  for (let run = 0; run < RUNS; run++) {
    for (const [name, { args, env: caseEnv, check }] of Object.entries(cases)) {
      const { ms, stdout } = timed(args, caseEnv);
      check?.(stdout);
      samples[name]?.push(ms);
    }
  }
  const ms = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  const node = ms['node'] as number;
  const ratio = (name: string) => Math.round(((ms[name] as number) / node) * 100) / 100;
  const rounded = Object.fromEntries(Object.entries(ms).map(([name, value]) => [name, Math.round(value)]));
  console.log(
    JSON.stringify({
      runs: RUNS,
      medianMs: rounded,
      ratioToNode: {
        help: ratio('help'),
        getTokenCached: ratio('getTokenCached'),
        adAppList: ratio('adAppList'),
      },
      targets: { help: 3, getTokenCached: 3, adAppList: 6 },
    }),
  );
} finally {
  await up.stop();
  up.kill();
  await rm(dir, { recursive: true, force: true });
}
