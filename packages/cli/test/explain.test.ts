/**
 * `credless explain`: the command functions through the in-process API (POST /{tenant}/explain) of a
 * real SQLite store, with a real test issuer, and the binary.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLocalCluster, issueServiceAccountToken } from '@credless/platforms';
import type { DryRunReport } from '@credless/server';
import {
  type DirectoryStore,
  ensureDefaultTenant,
  loadKeyEncryptionKey,
  openDirectoryStore,
} from '@credless/server';
import { addFederatedCredential, startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import {
  type ExplainOptions,
  explainCommand,
  formatExplainReport,
  settleExplanation,
} from '../src/commands/explain.ts';
import type { DirectoryContext } from '../src/context.ts';
import { EXIT, exitCodeFor, NoMatchError, UsageError } from '../src/exit-codes.ts';
import type { GraphApi } from '../src/session/graph-api.ts';
import { type InProcessOptions, openInProcessGraphApi } from '../src/session/in-process-graph-api.ts';
import { runBinary } from './run-binary.ts';

const SUBJECT = 'system:serviceaccount:default:workload';

const AUDIENCE = 'api://AzureADTokenExchange';

describe('credless explain', () => {
  let dir: string;
  let dataDir: string;
  let store: DirectoryStore;
  let ctx: DirectoryContext;
  let api: GraphApi & { close(): Promise<void> };
  let issuer: TestOidcIssuer;
  let appId: string;
  let matchingFile: string;
  let caseFile: string;

  // Each CLI run opens the data directory afresh; the issuer is reached through its test dispatcher.
  const openApi = (options: InProcessOptions = {}) =>
    openInProcessGraphApi({ dataDir, readOnly: true, issuerDispatcher: issuer.dispatcher, ...options });
  /** What the command prints by default (-o text) and how it ends (NoMatchError when refused). */
  const explainText = async (options: ExplainOptions, on: GraphApi = api) => {
    const report: DryRunReport = await explainCommand(on, options);
    const printed = formatExplainReport(report);
    const refused = (() => {
      try {
        settleExplanation(report);
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    return { report, printed, refused };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-cli-explain-'));
    dataDir = join(dir, 'data');
    issuer = await startTestOidcIssuer();
    store = await openDirectoryStore({ dataDir });
    await store.migrate();
    const tenantId = await ensureDefaultTenant(store, {
      domain: 'credless.local',
      displayName: 'Credless Local',
    });
    ctx = { store, tenantId };
    appId = (await store.createApplication(tenantId, { displayName: 'workload' })).appId;
    await addFederatedCredential(ctx, appId, {
      name: 'workload-fic',
      issuer: issuer.issuer,
      subject: SUBJECT,
    });
    matchingFile = join(dir, 'matching.jwt');
    await writeFile(matchingFile, `${await issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE })}\n`);
    caseFile = join(dir, 'case.jwt');
    await writeFile(caseFile, await issuer.issueToken({ sub: SUBJECT.toUpperCase(), aud: AUDIENCE }));
    api = await openApi();
  });
  after(async () => {
    await api.close();
    await store.close();
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a matching token from a file: match, signature verified with the issuer keys', async () => {
    const { report, printed, refused } = await explainText({ app: appId, token: matchingFile });
    assert.equal(report.verdict, 'match');
    assert.deepEqual(report.signature, { status: 'verified' });
    assert.equal(report.explanation.matchedCredential?.name, 'workload-fic');
    assert.equal(refused, undefined);
    assert.match(printed, /^result {7}MATCH: credential 'workload-fic' matches$/m);
    assert.match(printed, /^signature {4}verified$/m);
  });

  test("a local cluster's token: its key comes from credless's records, nothing is fetched", async () => {
    const kek = await loadKeyEncryptionKey({ dataDir });
    const baseUrl = 'https://localhost:8443';
    const { cluster } = await createLocalCluster(
      { store, kek },
      { tenantId: ctx.tenantId, baseUrl, resourceGroup: 'rg', name: 'explain-cluster' },
    );
    const subject = 'system:serviceaccount:apps:backend';
    const clusterApp = (await store.createApplication(ctx.tenantId, { displayName: 'cluster-workload' }))
      .appId;
    await addFederatedCredential(ctx, clusterApp, {
      name: 'cluster-fic',
      issuer: cluster.issuerUrl,
      subject,
    });
    const { token } = await issueServiceAccountToken({ store, kek }, cluster.id, {
      namespace: 'apps',
      serviceAccount: 'backend',
      audiences: [AUDIENCE],
    });
    const file = join(dir, 'cluster.jwt');
    await writeFile(file, token);
    const previous = process.env['CREDLESS_PUBLIC_URL'];
    process.env['CREDLESS_PUBLIC_URL'] = baseUrl;
    try {
      // Nothing listens at the cluster issuer's URL: a fetch would fail and leave it unverified.
      const fresh = await openApi();
      try {
        const report = await explainCommand(fresh, { app: clusterApp, token: file });
        assert.equal(report.verdict, 'match');
        assert.deepEqual(report.signature, { status: 'verified' });
      } finally {
        await fresh.close();
      }
    } finally {
      if (previous === undefined) delete process.env['CREDLESS_PUBLIC_URL'];
      else process.env['CREDLESS_PUBLIC_URL'] = previous;
    }
  });

  test('a case-only subject from stdin: no match, the diff printed, NoMatchError', async () => {
    const token = await issuer.issueToken({ sub: SUBJECT.toUpperCase(), aud: AUDIENCE });
    const { printed, refused } = await explainText({ app: appId, token: '-', stdin: Readable.from([token]) });
    assert.ok(refused instanceof NoMatchError);
    assert.match(printed, /NO MATCH: no credential matches; nearest is 'workload-fic'/);
    assert.match(printed, /1\. workload-fic \(subject credential, closeness \d+\/100\)/);
    assert.match(printed, /✘ subject differs only in letter case/);
    assert.match(printed, /✔ issuer matches/);
    assert.ok(!printed.includes(token), 'the token is not printed');
  });

  test('the report is JSON (what -o json prints); --no-verify-signature skips the issuer', async () => {
    const fetched = issuer.requests.length;
    const { report, refused } = await explainText({ app: appId, token: caseFile, verifySignature: false });
    assert.ok(refused instanceof NoMatchError);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
    assert.equal(report.verdict, 'no_match');
    assert.equal(report.signature.status, 'not_verified');
    assert.equal(report.explanation.nearestMisses[0]?.fields[1]?.status, 'case_only');
    assert.equal(fetched > 0, true, 'earlier tests fetched the keys');
    assert.equal(issuer.requests.length, fetched, 'this one did not');
  });

  test('an expired token names the seconds; the text report says so', async () => {
    const expired = join(dir, 'expired.jwt');
    await writeFile(
      expired,
      await issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE }, { expiresInSeconds: -3600 }),
    );
    const report = await explainCommand(api, { app: appId, token: expired, verifySignature: false });
    assert.equal(report.verdict, 'no_match');
    assert.equal(report.explanation.time.status, 'expired');
    assert.match(formatExplainReport(report), /time {9}✘ the token expired 36\d\d s ago/);
  });

  test('usage errors: unreadable file, empty input; unknown app is not found (exit 3)', async () => {
    await assert.rejects(explainCommand(api, { app: appId, token: join(dir, 'missing.jwt') }), UsageError);
    await assert.rejects(
      explainCommand(api, { app: appId, token: '-', stdin: Readable.from(['  \n']) }),
      UsageError,
    );
    await assert.rejects(
      explainCommand(api, {
        app: '00000000-0000-0000-0000-00000000beef',
        token: matchingFile,
        verifySignature: false,
      }),
      (error: Error) => exitCodeFor(error) === EXIT.notFound && /does not exist/.test(error.message),
    );
  });

  test('the issuer policy refuses as the token endpoint does: no match, exit 5, the refusing step named', async () => {
    const policies: Array<[string, () => Promise<unknown>, RegExp]> = [
      [
        'enforce, issuer not trusted',
        () => store.updateIssuerPolicy(ctx.tenantId, { mode: 'enforce' }),
        /✘ trusted issuer \(applyIssuerPolicy\): The presented assertion issuer .* is not trusted/,
      ],
      [
        'lifetime over the maximum',
        () =>
          store.upsertTrustedIssuer(ctx.tenantId, { issuer: issuer.issuer, maxAssertionLifetimeSeconds: 60 }),
        /✘ assertion lifetime \(checkClaims\): .*exceeds the 60 s allowed for its issuer/,
      ],
    ];
    try {
      for (const [name, apply, line] of policies) {
        await apply();
        const { printed, refused } = await explainText({
          app: appId,
          token: matchingFile,
          verifySignature: false,
        });
        assert.ok(refused instanceof NoMatchError, name);
        assert.equal(exitCodeFor(refused), EXIT.noMatch, name);
        assert.match(refused.message, /the token endpoint would refuse this token/, name);
        assert.match(printed, line, name);
        assert.match(printed, /result {7}NO MATCH: refused by the issuer policy/, name);
      }
    } finally {
      await store.deleteTrustedIssuer(ctx.tenantId, issuer.issuer);
      await store.updateIssuerPolicy(ctx.tenantId, { mode: 'off' });
    }
  });

  test('the binary: exit 0 on a match, 5 with the report when nothing matches', async () => {
    const ok = await runBinary([
      'explain',
      '--app',
      appId,
      '--token',
      matchingFile,
      '--no-verify-signature',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(ok.code, EXIT.ok, ok.stderr);
    assert.match(ok.stdout, /MATCH: credential 'workload-fic' matches/);
    const miss = await runBinary([
      'explain',
      '--app',
      appId,
      '--token',
      caseFile,
      '--no-verify-signature',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(miss.code, EXIT.noMatch);
    assert.equal(EXIT.noMatch, 5);
    assert.match(miss.stdout, /subject differs only in letter case/);
  });
});
