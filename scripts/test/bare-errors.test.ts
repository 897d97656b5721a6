/**
 * Errors an operator or a CLI user can see carry a catalogue code (core's errors/catalogue.ts), which
 * gives them their exit code and a row in the README. A bare `throw new Error(` is left only for
 * internal invariants (a bug if it ever fires), each listed here with why; a new one fails this test
 * until it becomes a CredlessError (or a class carrying a code) or is listed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './import-graph.ts';

interface Allowed {
  /** The end of the file's path (survives a move between packages). */
  file: string;
  /** Text of the thrown message, as written in the source. */
  message: string;
  why: string;
}

const INVARIANT = 'internal invariant: a bug if it fires';
const VALIDATED = 'internal invariant: every caller validates the input first and answers the user itself';

const ALLOWED: Allowed[] = [
  {
    file: 'cli/src/session/login.ts',
    message: "'scheme'",
    why: 'caught on the next line, rethrown as a UsageError',
  },
  {
    file: 'cli/src/version.ts',
    message: 'no package.json above the CLI',
    why: 'a broken installation, not input',
  },
  {
    file: 'declarative/graph-directory.ts',
    message: 'Graph paged to',
    why: `${INVARIANT} (our own API's nextLink)`,
  },
  {
    file: 'config/environment-table.ts',
    message: 'has no documentation',
    why: 'developer error, caught by the docs test',
  },
  { file: 'pki/certificates.ts', message: 'Not an IP address', why: VALIDATED },
  { file: 'token/exchange.ts', message: 'exchange step ran before', why: INVARIANT },
  { file: 'local-issuers/github-actions-claims.ts', message: 'invalid GitHub Actions job', why: VALIDATED },
  {
    file: 'local-issuers/service-account-token.ts',
    message: 'invalid service-account token request',
    why: VALIDATED,
  },
  { file: 'src/local-platforms.ts', message: 'the local platforms are used before', why: INVARIANT },
  {
    file: 'local-issuers/github-actions-job.ts',
    message: "'bad job'",
    why: 'caught in the same function, answered as a 400',
  },
  { file: 'local-issuers/issuer-signing-key.ts', message: 'RSA public key export lacks n/e', why: INVARIANT },
  { file: 'local-issuers/issuer-signing-key.ts', message: 'cannot be symmetric', why: INVARIANT },
  { file: 'cluster-access/cluster-api-listeners.ts', message: 'unreachable: port 0', why: INVARIANT },
  {
    file: 'pods/pod-runner.ts',
    message: 'no command: set command in the pod spec',
    why: "caught by the pod runner: shown as the pod's CreateContainerConfigError",
  },
  {
    file: 'admin/admin-identity.ts',
    message: 'has no Microsoft Graph application',
    why: `${INVARIANT} (seeded with the tenant)`,
  },
  {
    file: 'admin/admin-identity.ts',
    message: 'no service principal for',
    why: `${INVARIANT} (created just before)`,
  },
  {
    file: 'admin/admin-identity.ts',
    message: 'Microsoft Graph has no application role',
    why: `${INVARIANT} (roles are built in)`,
  },
  {
    file: 'admin/admin-identity.ts',
    message: 'disappeared during start-up',
    why: `${INVARIANT} (created just before)`,
  },
  { file: 'graph/graph-plugin.ts', message: 'ran without an authenticated caller', why: INVARIANT },
  { file: 'arm/arm-plugin.ts', message: 'ran without an authenticated caller', why: INVARIANT },
  { file: 'start/public-urls.ts', message: 'not known before the server listens', why: INVARIANT },
  {
    file: 'start/keys-stage.ts',
    message: 'a worker started before its primary',
    why: `${INVARIANT} (the primary forks workers after creating it)`,
  },
  { file: 'start/workers-worker.ts', message: 'not a worker process', why: INVARIANT },
  {
    file: 'start/workers-worker.ts',
    message: 'the primary process is gone',
    why: `${INVARIANT} (the caller's write fails; a worker outlives its primary only while exiting)`,
  },
  {
    file: 'store/kysely-directory-store.ts',
    message: 'is defined twice',
    why: `${INVARIANT} (wiring of the store)`,
  },
  { file: 'store/database.ts', message: 'exceeds the safe integer range', why: INVARIANT },
  {
    file: 'store/backup.ts',
    message: 'integrity check',
    why: 'caught in the same function, rethrown as a BackupError',
  },
  { file: 'store/clusters.ts', message: 'vanished after it was stored', why: INVARIANT },
  { file: 'keys/signing-key-manager.ts', message: 'must be 32 bytes', why: `${VALIDATED} (the KEK loader)` },
  {
    file: 'keys/signing-key-manager.ts',
    message: 'must be a non-negative number of ms',
    why: `${VALIDATED} (the config schema)`,
  },
  {
    file: 'keys/signing-key-manager.ts',
    message: 'must be shorter than rotationPeriodMs',
    why: `${VALIDATED} (the config schema)`,
  },
  {
    file: 'keys/signing-key-manager.ts',
    message: 'retentionAfterRetireMs',
    why: `${VALIDATED} (the config schema)`,
  },
  {
    file: 'keys/signing-key-manager.ts',
    message: 'prepublishPeriodMs (',
    why: `${VALIDATED} (the config schema)`,
  },
  { file: 'keys/signing-key-manager.ts', message: 'RSA public key export lacks n/e', why: INVARIANT },
  {
    file: 'keys/signing-key-manager.ts',
    message: 'No active token-signing key could be established',
    why: INVARIANT,
  },
  { file: 'keys/key-encryption-key.ts', message: 'vanished right after it was created', why: INVARIANT },
  { file: 'testkit/src/throwaway-postgres.ts', message: '', why: 'test harness: seen by test authors only' },
  { file: 'testkit/src/test-oidc-issuer.ts', message: '', why: 'test harness: seen by test authors only' },
  {
    file: 'testkit/src/directory-objects.ts',
    message: 'test setup:',
    why: 'test harness: seen by test authors only',
  },
  { file: 'testkit/src/admin-graph-client.ts', message: '', why: 'test harness: seen by test authors only' },
];

interface Site {
  where: string;
  file: string;
  /** The throw and the two lines after it (a message may start on the next line). */
  text: string;
}

/** The TypeScript sources below `src` (declaration files and dependencies left out). */
const sourceFiles = (src: string) =>
  (readdirSync(src, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.includes('node_modules'))
    .map((name) => join(src, name));

function bareThrows(): Site[] {
  const sites: Site[] = [];
  const packages = join(ROOT, 'packages');
  for (const pkg of readdirSync(packages)) {
    const src = join(packages, pkg, 'src');
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const path of sourceFiles(src)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (!line.includes('throw new Error(')) return;
        const file = relative(packages, path);
        const text = lines.slice(index, index + 3).join('\n');
        sites.push({
          where: `${file}:${index + 1}`,
          file,
          text: text.slice(text.indexOf('throw new Error(')),
        });
      });
    }
  }
  return sites;
}

const allows = (entry: Allowed, site: Site) =>
  site.file.endsWith(entry.file) && site.text.includes(entry.message);

test('every bare throw new Error( in packages/*/src is an internal invariant on the allow-list', () => {
  const sites = bareThrows();
  assert.ok(sites.length > 0, 'the scan found no throw at all: it is looking in the wrong place');
  const unlisted = sites
    .filter((site) => !ALLOWED.some((entry) => allows(entry, site)))
    .map((site) => site.where);
  assert.deepEqual(
    unlisted,
    [],
    'an operator- or CLI-facing error needs a catalogue code (new CredlessError(code, params)); an invariant, an entry here',
  );
});

test('every allow-list entry still matches a throw (no stale entries)', () => {
  const sites = bareThrows();
  const stale = ALLOWED.filter((entry) => !sites.some((site) => allows(entry, site)));
  assert.deepEqual(stale, []);
});

test('the scan sees a throw split over lines, and a new one is not allowed', () => {
  const site: Site = {
    where: 'x',
    file: 'server/src/keys/new.ts',
    text: "throw new Error(\n  'the KEK is wrong'",
  };
  assert.ok(!ALLOWED.some((entry) => allows(entry, site)));
  const known = bareThrows().find((s) => s.file.endsWith('pods/pod-runner.ts'));
  assert.ok(known?.text.includes('no command'), 'the message on the line after the throw is read');
});
