import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredlessSdkError, WorkloadIdentityCredential } from '../src/index.ts';

/** A plain-HTTP token endpoint whose answer each test chooses (never answering included). */
describe('token requests that go wrong on the way', () => {
  let server: Server;
  let url: string;
  let dir: string;
  let answer: (res: ServerResponse) => void = () => {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-sdk-transport-'));
    await writeFile(join(dir, 'token'), 'header.payload.signature');
    server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const credential = (authorityHost: string, timeoutMs = 2_000) =>
    new WorkloadIdentityCredential({
      env: {},
      tenantId: 'contoso.example',
      clientId: 'client',
      tokenFilePath: join(dir, 'token'),
      authorityHost,
      timeoutMs,
    });

  test('no answer within the timeout is ERR_STS_TIMEOUT', async () => {
    answer = () => {};
    const started = Date.now();
    await assert.rejects(credential(url, 300).getToken('api://x/.default'), {
      code: 'ERR_STS_TIMEOUT',
      message: /timed out after 300 ms/,
    });
    assert.ok(Date.now() - started < 2_000);
  });

  test('a refused connection is ERR_STS_UNREACHABLE', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      credential(`http://127.0.0.1:${port}`).getToken('api://x/.default'),
      (error: unknown) => {
        assert.ok(error instanceof CredlessSdkError);
        assert.equal(error.code, 'ERR_STS_UNREACHABLE');
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      },
    );
  });

  test('an error page that is not an OAuth error is ERR_STS_RESPONSE', async () => {
    answer = (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    await assert.rejects(credential(url).getToken('api://x/.default'), {
      code: 'ERR_STS_RESPONSE',
      message: /HTTP 502 without an OAuth error body/,
    });
  });

  test('a 200 without access_token is ERR_STS_RESPONSE', async () => {
    answer = (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"Bearer"}');
    await assert.rejects(credential(url).getToken('api://x/.default'), { code: 'ERR_STS_RESPONSE' });
  });

  test("the STS's refresh_in sets the refresh time; v1-style string numbers are read", async () => {
    answer = (res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"token_type":"Bearer","access_token":"opaque","expires_in":"3600","refresh_in":1800}');
    const before = Date.now();
    const token = await credential(url).getToken('api://x/.default');
    assert.equal(token.token, 'opaque');
    assert.ok(token.expiresOnTimestamp >= before + 3_600_000);
    assert.equal(token.refreshAfterTimestamp, token.expiresOnTimestamp - 1_800_000);
  });

  test("a caller's abort stops its wait, not the shared request", async () => {
    let arrived: (res: ServerResponse) => void = () => {};
    const request = new Promise<ServerResponse>((resolve) => {
      arrived = resolve;
    });
    answer = (res) => arrived(res);
    const shared = credential(url);
    const controller = new AbortController();
    const aborted = shared.getToken('api://x/.default', { abortSignal: controller.signal });
    const patient = shared.getToken('api://x/.default');
    controller.abort(new Error('caller gave up'));
    await assert.rejects(aborted, /caller gave up/);
    (await request)
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"token_type":"Bearer","access_token":"shared","expires_in":3600}');
    assert.equal((await patient).token, 'shared');
  });
});
