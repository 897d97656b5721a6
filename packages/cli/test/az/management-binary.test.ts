/**
 * signins, issuer-policy, explain and tenant through the real binary, by the rule `ad …` follows: the
 * same command logged in (HTTPS to a running credless) and offline (`--data-dir` of that same credless,
 * served in-process) prints the same object; a read-only command never creates a data directory;
 * `-o`/`--query` on each.
 */
import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXIT } from '../../src/exit-codes.ts';
import type { BinaryRun } from '../run-binary.ts';
import { type AzFixture, FEDERATION_AUDIENCE, startAzFixture } from './az-fixture.ts';

const SUBJECT = 'system:serviceaccount:ops:signed-in';

describe('credless binary: management commands offline and logged in', () => {
  let f: AzFixture;
  let appId: string;
  let tokenFile: string;
  /** Offline: the running credless's own data directory, with its public URL (so @odata ids agree). */
  const offline = (args: string[]) =>
    f.run([...args, '--data-dir', f.credless.dataDir], { env: { CREDLESS_PUBLIC_URL: f.credless.url } });
  const json = (run: BinaryRun) => {
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as unknown;
  };
  /** Runs `args` logged in, then offline; both must succeed and print the same JSON. */
  const same = async (args: string[], comparable: (value: unknown) => unknown = (value) => value) => {
    const online = json(await f.run([...args, '-o', 'json']));
    const local = json(await offline([...args, '-o', 'json']));
    assert.deepEqual(comparable(local), comparable(online), args.join(' '));
    return online;
  };

  before(async () => {
    f = await startAzFixture();
    const app = await f.api.call<{ id: string; appId: string }>('POST', '/applications', {
      displayName: 'signed-in',
    });
    appId = app.appId;
    await f.api.call('POST', '/servicePrincipals', { appId });
    await f.api.call('POST', `/applications/${app.id}/federatedIdentityCredentials`, {
      name: 'ops',
      issuer: f.issuer.issuer,
      subject: SUBJECT,
      audiences: [FEDERATION_AUDIENCE],
    });
    assert.equal((await f.exchange(appId, SUBJECT)).status, 200);
    tokenFile = join(f.dir, 'token.jwt');
    await writeFile(tokenFile, await f.federatedToken(SUBJECT));
  });
  after(async () => f.close());

  test('signins list: the same records (once the log is flushed); -o table fits a terminal', async () => {
    const args = ['signins', 'list', '--app', appId];
    let records: unknown[] = [];
    for (let attempt = 0; attempt < 20 && records.length === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      records = json(await f.run([...args, '-o', 'json'])) as unknown[];
    }
    assert.equal(records.length, 1);
    await same(args);
    const table = await f.run([...args, '-o', 'table']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^CreatedDateTime\s+AppId\s+Result\s+ErrorCode\s+CredentialName/);
    for (const line of table.stdout.trimEnd().split('\n')) assert.ok(line.length <= 120, line);
    const query = await offline([...args, '--query', '[0].status.errorCode', '-o', 'tsv']);
    assert.equal(query.stdout, '0\n');
  });

  test('issuer-policy trust and show print the same object; --query and -o tsv work', async () => {
    const trust = ['issuer-policy', 'trust', '--issuer', 'https://oidc.same.example', '--clock-skew', '5'];
    await same(trust);
    const shown = (await same(['issuer-policy', 'show'])) as { trustedIssuers: unknown[] };
    assert.equal(shown.trustedIssuers.length, 1);
    const mode = await f.run(['issuer-policy', 'show', '--query', 'mode', '-o', 'tsv']);
    assert.equal(mode.stdout, 'off\n');
    const untrust = await offline(['issuer-policy', 'untrust', '--issuer', 'https://oidc.same.example']);
    assert.equal(untrust.code, 0, untrust.stderr);
    assert.equal(untrust.stdout, '');
  });

  test('explain -o json: the same report (its clock-dependent time line aside); text by default', async () => {
    const withoutTime = (value: unknown) => {
      const report = structuredClone(value) as { explanation: { time?: unknown } };
      delete report.explanation.time;
      return report;
    };
    const args = ['explain', '--app', appId, '--token', tokenFile, '--no-verify-signature'];
    const report = (await same(args, withoutTime)) as { verdict: string; signature: { status: string } };
    assert.equal(report.verdict, 'match');
    assert.equal(report.signature.status, 'not_verified', 'the server honours --no-verify-signature too');
    const text = await offline(args);
    assert.equal(text.code, EXIT.ok, text.stderr);
    assert.match(text.stdout, /^result {7}MATCH: credential 'ops' matches$/m);
    const verdict = await f.run([...args, '--query', 'verdict', '-o', 'tsv']);
    assert.equal(verdict.stdout, 'match\n');
  });

  test('tenant list and show print the same objects', async () => {
    const [first] = (await same(['tenant', 'list'])) as Array<{ id: string }>;
    assert.equal(first?.id, f.credless.tenantId);
    await same(['tenant', 'show', '--id', f.credless.tenantId]);
    await same(['tenant', 'secret-policy', '--id', f.credless.tenantId]);
  });

  test('a read-only command on a missing data directory exits 3 naming it, and creates nothing', async () => {
    const missing = join(f.dir, 'mistyped');
    for (const args of [
      ['signins', 'list'],
      ['issuer-policy', 'show'],
      ['tenant', 'list'],
      ['tenant', 'show', '--id', f.credless.tenantId],
      ['explain', '--app', appId, '--token', tokenFile],
    ]) {
      const run = await f.run([...args, '--data-dir', missing]);
      assert.equal(run.code, EXIT.notFound, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`no data directory at ${missing}`));
    }
    await assert.rejects(access(missing), /ENOENT/);
  });
});
