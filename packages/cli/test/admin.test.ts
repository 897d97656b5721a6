/**
 * `credless admin show|rotate-key` against a data directory a test credless created: what is shown
 * (never the private key) and that a rotation is what `show` reports afterwards.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestCredless, type TestCredless } from '@credless/testkit';
import { rotateAdminKeyCommand, showAdminIdentity } from '../src/commands/admin.ts';
import { EXIT, exitCodeFor } from '../src/exit-codes.ts';

describe('credless admin', () => {
  let credless: TestCredless;
  before(async () => {
    credless = await startTestCredless();
  });
  after(async () => credless.close());

  test('show prints the identity and the key path, never the key', async () => {
    const shown = await showAdminIdentity({ dataDir: credless.dataDir });
    assert.deepEqual(shown, { ...credless.admin, keyPath: join(credless.dataDir, 'admin', 'admin-key.pem') });
    assert.ok(!JSON.stringify(shown).includes('PRIVATE KEY'));
  });

  test('rotate-key replaces the key; show reports the new one', async () => {
    const before = await showAdminIdentity({ dataDir: credless.dataDir });
    const rotated = await rotateAdminKeyCommand(
      { store: credless.store, tenantId: credless.tenantId },
      { dataDir: credless.dataDir },
    );
    assert.notEqual(rotated.keyId, before.keyId);
    assert.equal((await showAdminIdentity({ dataDir: credless.dataDir })).keyId, rotated.keyId);
  });

  test('a data directory without an administrator → exit 3', async () => {
    await assert.rejects(showAdminIdentity({ dataDir: `${credless.dataDir}/nowhere` }), (error: unknown) => {
      assert.equal(exitCodeFor(error), EXIT.notFound);
      return true;
    });
  });
});
