/** `credless plan|apply` as a user runs them: the real binary, its output and exit codes. */
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBinary as credless } from '../run-binary.ts';

const FILE = `apiVersion: credless.dev/v1
applications:
  - displayName: payments-worker
    federatedCredentials:
      - { name: k8s, issuer: https://oidc.cluster.example, subject: "system:serviceaccount:payments:worker" }
    apiPermissions: [{ api: 00000003-0000-0000-c000-000000000000, roles: [User.Read.All] }]
`;

describe('credless plan/apply binary', () => {
  let dir: string;
  let dataDir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-declarative-'));
    dataDir = join(dir, 'data');
    file = join(dir, 'identity.yaml');
    await writeFile(file, FILE);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('plan never creates a data directory: a missing one exits 3 naming it', async () => {
    const run = await credless(['plan', '-f', file, '--data-dir', dataDir]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`no data directory at ${dataDir}`));
    await assert.rejects(access(dataDir), /ENOENT/);
    await mkdir(dataDir);
  });

  test('plan --detailed-exitcode exits 6 with changes, apply without a terminal needs --yes, then 0', async () => {
    const planned = await credless(['plan', '-f', file, '--detailed-exitcode', '--data-dir', dataDir]);
    assert.equal(planned.code, 6, planned.stderr);
    assert.match(planned.stdout, /^\+ create application "payments-worker"$/m);
    assert.match(planned.stdout, /^Plan: 4 to create, 0 to update, 0 to delete\.$/m);

    const json = await credless(['plan', '-f', file, '--output', 'json', '--data-dir', dataDir]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).summary, { create: 4, update: 0, delete: 0 });

    const refused = await credless(['apply', '-f', file, '--data-dir', dataDir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /apply needs --yes/);

    const applied = await credless(['apply', '-f', file, '--yes', '--data-dir', dataDir]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^Apply complete: 4 created, 0 updated, 0 deleted\.$/m);

    const again = await credless(['apply', '-f', file, '--yes', '--data-dir', dataDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'No changes: the directory matches the file.\n');
  });

  test('a bad file exits 2 naming every problem by path', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `${FILE.replace(
        'subject: "system:serviceaccount:payments:worker" }',
        `subject: s, claimsMatchingExpression: { value: "claims['sub'] eq 's'" } }`,
      )}  - displayName: payments-worker\n    colour: blue\n`,
    );
    const run = await credless(['apply', '-f', bad, '--yes', '--data-dir', dataDir]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^credless: .*bad\.yaml is not a valid identity file:$/m);
    assert.match(
      run.stderr,
      /^ {2}applications\[0\]\.federatedCredentials\[0\]: subject and claimsMatchingExpression are mutually exclusive$/m,
    );
    assert.match(run.stderr, /^ {2}applications\[1\]: unknown field 'colour'$/m);
    assert.match(
      run.stderr,
      /^ {2}applications\[1\]\.displayName: duplicate application displayName 'payments-worker'$/m,
    );
  });

  test('an unknown role and a missing file exit 2', async () => {
    const unknown = join(dir, 'unknown-role.yaml');
    await writeFile(unknown, FILE.replace('User.Read.All', 'User.ReadAll'));
    const run = await credless(['plan', '-f', unknown, '--data-dir', dataDir]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /applications\[0\]\.apiPermissions\[0\]\.roles: 'User\.ReadAll' is not an app role of Microsoft Graph/,
    );
    const missing = await credless(['plan', '-f', join(dir, 'nope.yaml'), '--data-dir', dataDir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: no such file/);
  });
});
