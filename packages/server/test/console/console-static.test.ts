/**
 * Serving the console's build: `/console` redirects to `/console/`, hashed assets are cached for good,
 * any other path is the single-page app (never cached), a missing asset is a 404 and not the app,
 * every answer carries the security headers, and without a build every page is a 503 saying what to do.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { consoleStaticRoutes } from '../../src/console/console-static.ts';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/console/assets/app-3f2a.js"></script></body></html>';

async function appServing(distDir: string | undefined): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register((scope) => consoleStaticRoutes(scope, distDir));
  return app;
}

function assertSecurityHeaders(headers: Record<string, unknown>): void {
  assert.equal(
    headers['content-security-policy'],
    "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  );
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
}

describe('a built console', () => {
  let dist: string;
  let app: FastifyInstance;

  before(async () => {
    dist = await mkdtemp(join(tmpdir(), 'credless-console-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'app-3f2a.js'), 'console.log("console");\n');
    await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await appServing(dist);
  });
  after(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  test('/console redirects (308) to /console/, keeping the query', async () => {
    const response = await app.inject('/console?x=1');
    assert.equal(response.statusCode, 308);
    assert.equal(response.headers.location, '/console/?x=1');
  });

  test('/console/ and every page route are index.html, not cached', async () => {
    for (const path of ['/console/', '/console/applications', '/console/applications/1234/credentials']) {
      const response = await app.inject(path);
      assert.equal(response.statusCode, 200, path);
      assert.equal(response.body, INDEX, path);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.equal(response.headers['cache-control'], 'no-cache', path);
      assertSecurityHeaders(response.headers);
    }
  });

  test('hashed assets are immutable; other files are revalidated', async () => {
    const asset = await app.inject('/console/assets/app-3f2a.js');
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(asset.headers['content-type']), /javascript/);
    assertSecurityHeaders(asset.headers);
    const icon = await app.inject('/console/favicon.svg');
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  test('a missing asset or API path is a 404, never the app', async () => {
    for (const path of ['/console/assets/app-old.js', '/console/api/nothing']) {
      const response = await app.inject(path);
      assert.equal(response.statusCode, 404, path);
      assert.equal(response.json().error.code, 'Request_ResourceNotFound');
    }
  });
});

describe('a console that was not built', () => {
  test('every page is a 503 saying to run npm run build', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'credless-console-dist-'));
    try {
      for (const distDir of [undefined, empty]) {
        const app = await appServing(distDir);
        for (const path of ['/console/', '/console/applications']) {
          const response = await app.inject(path);
          assert.equal(response.statusCode, 503, path);
          assert.match(response.body, /The console is not built: run npm run build/);
          assertSecurityHeaders(response.headers);
        }
        assert.equal((await app.inject('/console')).statusCode, 308);
        await app.close();
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
