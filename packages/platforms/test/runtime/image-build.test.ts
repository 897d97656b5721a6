import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestCredless, type TestCredless } from '@credless/testkit';
import { buildImage, createRegistry } from '../../src/runtime/images/registry.ts';

const run = promisify(execFile);

/** What `node server.js` prints in the built image, as the image's container would run it. */
async function runImage(directory: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['server.js'], { cwd: directory, env: {} });
  return stdout.trim();
}

describe('acr build: the build context alone decides the module type', () => {
  let credless: TestCredless;
  let project: string;
  let ctx: { store: TestCredless['store']; tenantId: string; dataDir: string };

  before(async () => {
    credless = await startTestCredless();
    // A project of ES modules whose data directory (./.credless) holds the images, as `npm start` sets up.
    project = await mkdtemp(join(tmpdir(), 'credless-esm-project-'));
    await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    ctx = { store: credless.store, tenantId: credless.tenantId, dataDir: join(project, '.credless') };
    await createRegistry(ctx, 'typereg01');
  });

  after(async () => {
    await credless?.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  test("a CommonJS server.js without package.json runs as CommonJS, not as the project's ES module", async () => {
    const context = join(project, 'apps', 'cjs');
    await mkdir(context, { recursive: true });
    await writeFile(
      join(context, 'server.js'),
      "const { sep } = require('node:path'); console.log('cjs ' + typeof module + ' ' + sep);\n",
    );
    const built = await buildImage(ctx, { registry: 'typereg01', image: 'cjs:1', source: context });
    assert.equal(await runImage(built.directory), 'cjs object /');
  });

  test('a context whose own package.json says "type": "module" stays an ES module', async () => {
    const context = await mkdtemp(join(tmpdir(), 'credless-esm-image-'));
    try {
      await writeFile(join(context, 'package.json'), JSON.stringify({ type: 'module' }));
      await writeFile(
        join(context, 'server.js'),
        "import { sep } from 'node:path'; console.log('esm ' + typeof require + ' ' + sep);\n",
      );
      const built = await buildImage(ctx, { registry: 'typereg01', image: 'esm:1', source: context });
      assert.equal(await runImage(built.directory), 'esm undefined /');
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  });
});
