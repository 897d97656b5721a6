import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { fetchCappedJson, IssuerFetchError } from '../../src/issuers/fetch-capped-json.ts';
import { createIssuerAgent } from '../../src/issuers/issuer-network-guard.ts';

const fetchError = (reason: RegExp) => (error: unknown) => {
  assert.ok(error instanceof IssuerFetchError, `expected IssuerFetchError, got ${String(error)}`);
  assert.match(error.reason, reason);
  return true;
};

describe('fetchCappedJson', { timeout: 30_000 }, () => {
  let issuer: TestOidcIssuer;
  let redirectTarget: TestOidcIssuer;
  const options = (overrides: { timeoutMs?: number; maxBytes?: number } = {}) => ({
    dispatcher: issuer.dispatcher,
    timeoutMs: 5000,
    maxBytes: 256 * 1024,
    ...overrides,
  });

  before(async () => {
    issuer = await startTestOidcIssuer();
    redirectTarget = await startTestOidcIssuer({ certificateAuthority: issuer.certificateAuthority });
  });
  after(async () => {
    await issuer.close();
    await redirectTarget.close();
  });

  test('fetches and parses a JSON document over https', async () => {
    issuer.setFault(null);
    const document = (await fetchCappedJson(issuer.discoveryUrl, options())) as Record<string, unknown>;
    assert.equal(document['issuer'], issuer.issuer);
  });

  test('refuses non-https URLs before connecting', async () => {
    let connections = 0;
    const plain = createServer((_req, res) => res.end('{}'));
    plain.on('connection', () => connections++);
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as AddressInfo;
    try {
      await assert.rejects(
        fetchCappedJson(`http://127.0.0.1:${port}/jwks`, options()),
        fetchError(/not https/),
      );
      await assert.rejects(fetchCappedJson('file:///etc/passwd', options()), fetchError(/not https/));
      await assert.rejects(fetchCappedJson('not a url', options()), fetchError(/not valid/));
      assert.equal(connections, 0);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  test('does not follow a redirect and does not name its Location', async () => {
    const target = `${redirectTarget.issuer}/.well-known/openid-configuration`;
    // The target is reachable with this dispatcher, so zero requests below means "not followed".
    await fetchCappedJson(target, options());
    const before = redirectTarget.requests.length;
    issuer.setFault('redirect', { redirectTo: target });
    await assert.rejects(fetchCappedJson(issuer.jwksUri, options()), (error) => {
      fetchError(/redirect \(HTTP 302\)/)(error);
      assert.ok(!(error as IssuerFetchError).reason.includes('127.0.0.1'));
      return true;
    });
    assert.equal(redirectTarget.requests.length, before);
  });

  test('treats a non-2xx status as an error', async () => {
    issuer.setFault('status500');
    await assert.rejects(fetchCappedJson(issuer.jwksUri, options()), fetchError(/HTTP status 500/));
    await assert.rejects(
      fetchCappedJson(`${issuer.issuer}/missing`, options()),
      fetchError(/HTTP status 404/),
    );
  });

  test('rejects a body that is not JSON', async () => {
    issuer.setFault('notJson');
    await assert.rejects(fetchCappedJson(issuer.jwksUri, options()), fetchError(/not JSON/));
  });

  test('aborts a 50 MB streamed body once it passes maxBytes', async () => {
    issuer.setFault('hugeBody');
    await assert.rejects(
      fetchCappedJson(issuer.jwksUri, options()),
      fetchError(/^response body exceeds 262144 bytes$/),
    );
    const served = issuer.requests.at(-1)?.bytesSent ?? Number.POSITIVE_INFINITY;
    assert.ok(served < 10 * 1024 * 1024, `server pushed ${served} bytes before the client hung up`);
  });

  test('rejects a too-large Content-Length before reading the body', async () => {
    issuer.setFault('hugeBody', { declareContentLength: true });
    await assert.rejects(
      fetchCappedJson(issuer.jwksUri, options()),
      fetchError(/^declared Content-Length exceeds 262144 bytes$/),
    );
    const served = issuer.requests.at(-1)?.bytesSent ?? Number.POSITIVE_INFINITY;
    assert.ok(served < 10 * 1024 * 1024, `server pushed ${served} bytes before the client hung up`);
  });

  test('the streamed cap is exact: maxBytes passes, one byte less fails', async () => {
    issuer.setFault('hugeBody', { hugeBodyBytes: 1000 });
    assert.deepEqual(await fetchCappedJson(issuer.jwksUri, options({ maxBytes: 1000 })), { keys: [] });
    await assert.rejects(
      fetchCappedJson(issuer.jwksUri, options({ maxBytes: 999 })),
      fetchError(/^response body exceeds 999/),
    );
  });

  test('the Content-Length cap is exact too', async () => {
    issuer.setFault('hugeBody', { hugeBodyBytes: 1000, declareContentLength: true });
    assert.deepEqual(await fetchCappedJson(issuer.jwksUri, options({ maxBytes: 1000 })), { keys: [] });
    await assert.rejects(
      fetchCappedJson(issuer.jwksUri, options({ maxBytes: 999 })),
      fetchError(/^declared Content-Length exceeds 999/),
    );
  });

  test('one deadline covers the whole body: a steady drip still times out', async () => {
    // Bytes arrive every 50 ms, so only an overall deadline (not an idle timeout) can stop it.
    issuer.setFault('slowDrip', { dripIntervalMs: 50 });
    await assert.rejects(
      fetchCappedJson(issuer.jwksUri, options({ timeoutMs: 300 })),
      fetchError(/timed out/),
    );
  });

  test('a server that never answers times out', async () => {
    issuer.setFault('hang');
    await assert.rejects(
      fetchCappedJson(issuer.jwksUri, options({ timeoutMs: 300 })),
      fetchError(/timed out/),
    );
  });

  test("the caller's signal aborts the fetch", async () => {
    issuer.setFault('hang');
    const controller = new AbortController();
    const pending = fetchCappedJson(issuer.jwksUri, { ...options(), signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, fetchError(/^aborted$/));
  });

  test('a TLS failure is reported by code only', async () => {
    issuer.setFault(null);
    // redirectTarget's dispatcher trusts the same CA; an Agent without the CA must fail the handshake.
    const { Agent } = await import('undici');
    const untrusting = new Agent();
    try {
      await assert.rejects(
        fetchCappedJson(issuer.jwksUri, { ...options(), dispatcher: untrusting }),
        fetchError(/^request failed \([A-Z0-9_]+\)$/),
      );
    } finally {
      await untrusting.close();
    }
  });

  test('createIssuerAgent refuses loopback by default and allows it when private networks are trusted', async () => {
    issuer.setFault(null);
    const strict = createIssuerAgent({ ca: issuer.caCertPem });
    const lenient = createIssuerAgent({ ca: issuer.caCertPem, blockPrivateNetworks: false });
    try {
      const before = issuer.requests.length;
      await assert.rejects(
        fetchCappedJson(issuer.discoveryUrl, { ...options(), dispatcher: strict }),
        fetchError(/^request failed \(ADDRESS_BLOCKED: .*\(127\.0\.0\.1\)\)$/),
      );
      // A name is judged by the address it connected to, before any request is sent.
      await assert.rejects(
        fetchCappedJson(issuer.discoveryUrl.replace('127.0.0.1', 'localhost'), {
          ...options(),
          dispatcher: strict,
        }),
        fetchError(/^request failed \(ADDRESS_BLOCKED: .*\(127\.0\.0\.1\)\)$/),
      );
      assert.equal(issuer.requests.length, before);
      const document = await fetchCappedJson(issuer.discoveryUrl, { ...options(), dispatcher: lenient });
      assert.equal((document as { issuer?: string }).issuer, issuer.issuer);
    } finally {
      await strict.close();
      await lenient.close();
    }
  });
});
