/**
 * Long-lived cluster API answers (watches, `logs -f`) end with their client or their listener: a
 * client that goes away ends the stream on the server (its cleanup runs once), and closing the
 * listener ends open streams instead of waiting for them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { request } from 'undici';
import { KubeStreams } from '../../src/cluster-access/kube-streams.ts';
import { waitFor } from '../runtime/support.ts';

async function streamingApp() {
  const app = Fastify();
  const streams = new KubeStreams(app);
  const state = { cleanups: 0 };
  app.get('/stream', async (_request, reply) => {
    const stream = streams.open(reply, 'application/json', () => {
      state.cleanups += 1;
    });
    stream.write('{"type":"ADDED"}\n');
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return { app, state, url: `http://127.0.0.1:${address.port}/stream` };
}

describe('cluster API streams', () => {
  test('a client that goes away ends the stream on the server', async () => {
    const { app, state, url } = await streamingApp();
    try {
      const controller = new AbortController();
      const answer = await request(url, { signal: controller.signal });
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.headers['content-type'], 'application/json');
      const reader = answer.body[Symbol.asyncIterator]();
      assert.equal(String((await reader.next()).value), '{"type":"ADDED"}\n');
      controller.abort();
      await waitFor('the stream cleaned up', () => state.cleanups === 1);
    } finally {
      await app.close();
    }
    assert.equal(state.cleanups, 1, 'cleanup runs once');
  });

  test('closing the listener ends open streams at once', { timeout: 10_000 }, async () => {
    const { app, state, url } = await streamingApp();
    const answer = await request(url);
    const body = answer.body.text();
    const started = Date.now();
    await app.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    assert.equal(await body, '{"type":"ADDED"}\n');
    assert.equal(state.cleanups, 1);
  });
});
