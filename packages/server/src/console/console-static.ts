/**
 * Serving the console's built pages (`@credless/console`'s dist/) at `/console/`: hashed assets cached
 * for good, every other path the single-page app's (index.html, never cached), and a 503 page saying
 * what to do when the console was not built. Security headers go on every console response.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CredlessError, ERROR_CATALOGUE } from '@credless/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendGraphError } from '../graph/graph-errors.ts';

/** Fluent UI (griffel) injects style elements, hence 'unsafe-inline' for styles only. */
export const CONSOLE_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';

const require = createRequire(import.meta.url);

/** The folder `npm run pack` copies the console's build to, inside the packed CLI's dist/. */
export const PACKED_CONSOLE_DIR = 'console-assets';

/**
 * The console's build in a packed CLI: the bundler puts this module in dist/ or a chunk folder below it,
 * so look in the few folders above this file (never further) for dist/console-assets.
 */
function packedConsoleDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 3; level++, dir = dirname(dir)) {
    const candidate = join(dir, PACKED_CONSOLE_DIR);
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

/** Where the console's build lives: the workspace package's dist/, or the packed CLI's copy. */
export function consoleDistDir(): string | undefined {
  return workspaceConsoleDir() ?? packedConsoleDir();
}

function workspaceConsoleDir(): string | undefined {
  try {
    // `require.resolve`: the package graph's guard (scripts/test/import-graph.ts) counts it as a dependency.
    const manifest = require.resolve('@credless/console/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return undefined;
  }
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function sendNotBuilt(reply: FastifyReply): FastifyReply {
  const message = new CredlessError('console_not_built').message;
  const status = ERROR_CATALOGUE.console_not_built.status;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>credless console</title></head>` +
        `<body><h1>credless console</h1><p>${escapeHtml(message)}</p></body></html>\n`,
    );
}

/**
 * Registers `/console`, `/console/` and `/console/*` (inside the console's encapsulated plugin, whose
 * API routes under /console/api/ take precedence over the fallback). `distDir` undefined or without
 * index.html: every page answers 503.
 */
export async function consoleStaticRoutes(app: FastifyInstance, distDir: string | undefined): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(CONSOLE_SECURITY_HEADERS);
    return payload;
  });
  app.get('/console', (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`/console/${query}`, 308);
  });
  const built = distDir !== undefined && existsSync(join(distDir, 'index.html'));
  if (!built) {
    app.get('/console/', (_request, reply) => sendNotBuilt(reply));
    app.get('/console/*', (_request, reply) => sendNotBuilt(reply));
    return;
  }
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/console/',
    // Routes for the files found now: anything else falls through to the single-page app below.
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes(`${join(distDir, 'assets')}`) ? IMMUTABLE : 'no-cache');
    },
  });
  const sendIndex = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  app.get('/console/', (_request, reply) => sendIndex(reply));
  app.get('/console/*', (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A missing asset or API path is a 404, not the app (a stale page would load HTML as a script).
    if (path.startsWith('/console/assets/') || path.startsWith('/console/api/')) {
      sendGraphError(request, reply, new CredlessError('not_found', { id: path }), new Date());
      return reply;
    }
    return sendIndex(reply);
  });
}
