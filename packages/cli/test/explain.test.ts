/** `credless explain`: the command functions against a real SQLite store and a real test issuer, and the binary. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  createLocalCluster,
  type DirectoryStore,
  ensureDefaultTenant,
  issueServiceAccountToken,
  loadKeyEncryptionKey,
  openDirectoryStore,
} from '@credless/server';

import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { createApplication } from '../src/commands/ad/app.ts';
import { createFederatedCredential } from '../src/commands/ad/federated-credential.ts';
import { explainCommand, formatExplainReport, printExplanation } from '../src/commands/explain.ts';
import type { DirectoryContext } from '../src/context.ts';
import { EXIT, exitCodeFor, NoMatchError, UsageError } from '../src/exit-codes.ts';
import { runBinary } from './run-binary.ts';

const SUBJECT = 'system:serviceaccount:default:workload';

const AUDIENCE = 'api://AzureADTokenExchange';

describe('credless explain', () => {
  let dir: string;
  let dataDir: string;
  let store: DirectoryStore;
  let ctx: DirectoryContext;
  let issuer: TestOidcIssuer;
  let appId: string;
  let matchingFile: string;
  let caseFile: string;

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
    appId = (await createApplication(ctx, { displayName: 'workload' })).appId;
    await createFederatedCredential(ctx, appId, {
      name: 'workload-fic',
      issuer: issuer.issuer,
      subject: SUBJECT,
    });
    matchingFile = join(dir, 'matching.jwt');
    await writeFile(matchingFile, `${await issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE })}\n`);
    caseFile = join(dir, 'case.jwt');
    await writeFile(caseFile, await issuer.issueToken({ sub: SUBJECT.toUpperCase(), aud: AUDIENCE }));
  });
  after(async () => {
    await store.close();
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a matching token from a file: match, signature verified with the issuer keys', async () => {
    const report = await explainCommand(ctx, {
      app: appId,
      token: matchingFile,
      dispatcher: issuer.dispatcher,
    });
    assert.equal(report.verdict, 'match');
    assert.deepEqual(report.signature, { status: 'verified' });
    assert.equal(report.explanation.matchedCredential?.name, 'workload-fic');
    let printed = '';
    await printExplanation(
      ctx,
      { app: appId, token: matchingFile, dispatcher: issuer.dispatcher },
      (text) => {
        printed += text;
      },
    );
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
    const clusterApp = (await createApplication(ctx, { displayName: 'cluster-workload' })).appId;
    await createFederatedCredential(ctx, clusterApp, {
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
      const report = await explainCommand(
        { ...ctx, dataDir },
        { app: clusterApp, token: file, dispatcher: issuer.dispatcher },
      );
      assert.equal(report.verdict, 'match');
      assert.deepEqual(report.signature, { status: 'verified' });
    } finally {
      if (previous === undefined) delete process.env['CREDLESS_PUBLIC_URL'];
      else process.env['CREDLESS_PUBLIC_URL'] = previous;
    }
  });

  test('a case-only subject from stdin: no match, the diff printed, NoMatchError', async () => {
    const token = await issuer.issueToken({ sub: SUBJECT.toUpperCase(), aud: AUDIENCE });
    let printed = '';
    await assert.rejects(
      printExplanation(
        ctx,
        { app: appId, token: '-', stdin: Readable.from([token]), dispatcher: issuer.dispatcher },
        (text) => {
          printed += text;
        },
      ),
      NoMatchError,
    );
    assert.match(printed, /NO MATCH: no credential matches; nearest is 'workload-fic'/);
    assert.match(printed, /1\. workload-fic \(subject credential, closeness \d+\/100\)/);
    assert.match(printed, /✘ subject differs only in letter case/);
    assert.match(printed, /✔ issuer matches/);
    assert.ok(!printed.includes(token), 'the token is not printed');
  });

  test('--output json prints the whole report; --no-verify-signature skips the issuer', async () => {
    let printed = '';
    await assert.rejects(
      printExplanation(
        ctx,
        { app: appId, token: caseFile, output: 'json', verifySignature: false },
        (text) => {
          printed += text;
        },
      ),
      NoMatchError,
    );
    const report = JSON.parse(printed);
    assert.equal(report.verdict, 'no_match');
    assert.equal(report.signature.status, 'not_verified');
    assert.equal(report.explanation.nearestMisses[0].fields[1].status, 'case_only');
    assert.equal(issuer.requests.length > 0, true, 'earlier tests fetched the keys');
  });

  test('an expired token names the seconds; the text report says so', async () => {
    const now = Date.now();
    const expired = join(dir, 'expired.jwt');
    await writeFile(
      expired,
      await issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE }, { expiresInSeconds: -3600 }),
    );
    const report = await explainCommand(ctx, {
      app: appId,
      token: expired,
      verifySignature: false,
      now: () => now,
    });
    assert.equal(report.verdict, 'no_match');
    assert.equal(report.explanation.time.status, 'expired');
    assert.match(formatExplainReport(report), /time {9}✘ the token expired 36\d\d s ago/);
  });

  test('usage errors: unreadable file, empty input, bad --output; unknown app is not found', async () => {
    await assert.rejects(explainCommand(ctx, { app: appId, token: join(dir, 'missing.jwt') }), UsageError);
    await assert.rejects(
      explainCommand(ctx, { app: appId, token: '-', stdin: Readable.from(['  \n']) }),
      UsageError,
    );
    await assert.rejects(
      printExplanation(ctx, { app: appId, token: matchingFile, output: 'yaml' }),
      UsageError,
    );
    await assert.rejects(
      explainCommand(ctx, {
        app: '00000000-0000-0000-0000-00000000beef',
        token: matchingFile,
        verifySignature: false,
      }),
      /does not exist/,
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
        let printed = '';
        const refused = await printExplanation(
          ctx,
          { app: appId, token: matchingFile, verifySignature: false },
          (text) => {
            printed += text;
          },
        ).catch((error: unknown) => error);
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
