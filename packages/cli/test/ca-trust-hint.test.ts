/**
 * One hint about trusting credless's local CA, the same everywhere: the CLI's HTTPS calls (against a real
 * TLS server whose CA the client does not trust), `credless ci env`'s curl line, and the README's SDK
 * snippet and curl example. (`credless get-token`'s is in kube/get-token.test.ts, against credless.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createCertificateAuthority, issueServerCertificate } from '@credless/common';
import { caTrustHint, isCertificateVerificationError, LOCAL_CA_FILE } from '@credless/core';
import { actionsTokenCurl, ciEnv } from '../src/commands/ci/ci-env.ts';
import { describeRunning } from '../src/commands/up.ts';
import { HttpRequestError, sendRequest } from '../src/session/https-json.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the CA trust hint', () => {
  let server: Server;
  let url: string;
  let caPem: string;
  before(async () => {
    const ca = await createCertificateAuthority({ commonName: 'ca-trust-hint test CA' });
    const tls = await issueServerCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    caPem = ca.certPem;
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  test('names the CA file and how Node, curl and Python trust it', () => {
    const hint = caTrustHint('/d/tls/ca.crt');
    for (const part of [
      'NODE_EXTRA_CA_CERTS=/d/tls/ca.crt',
      'curl --cacert /d/tls/ca.crt',
      'REQUESTS_CA_BUNDLE=/d/tls/ca.crt',
    ])
      assert.ok(hint.includes(part), part);
    assert.ok(caTrustHint().includes(LOCAL_CA_FILE));
  });

  test('the CLI HTTPS call to an untrusted certificate fails with the hint; with its CA it succeeds', async () => {
    await assert.rejects(
      sendRequest('GET', url),
      (error: unknown) =>
        error instanceof HttpRequestError &&
        error.message.includes('the server certificate is not trusted: pass --ca-file, or ') &&
        error.message.includes(caTrustHint()),
    );
    assert.equal((await sendRequest('GET', url, { caPem })).status, 200);
  });

  test('only certificate failures count as such (not a refused connection)', async () => {
    const refused = await fetch('https://127.0.0.1:1/').catch((error: unknown) => error);
    assert.equal(isCertificateVerificationError(refused), false);
    const untrusted = await fetch(url).catch((error: unknown) => error);
    assert.equal(isCertificateVerificationError(untrusted), true);
  });

  test('`credless up` prints the hint with its CA file, then the export line', () => {
    const running = {
      url: 'https://localhost:8443',
      defaultTenantId: 't',
      graphUrl: 'g',
      caPath: '/d/tls/ca.crt',
    };
    const banner = describeRunning(running as unknown as Parameters<typeof describeRunning>[0], 'sqlite');
    assert.ok(
      banner.includes(
        `Clients must ${caTrustHint('/d/tls/ca.crt')}; e.g.:\n  export NODE_EXTRA_CA_CERTS=/d/tls/ca.crt`,
      ),
    );
  });

  test("ci env's curl line verifies credless's certificate with --cacert", () =>
    assert.match(
      actionsTokenCurl('/d/tls/ca.crt'),
      /^curl -sS --cacert \/d\/tls\/ca\.crt -H .*audience=api:\/\/AzureADTokenExchange"$/,
    ));

  test('`credless ci env` (shell, https) ends with the hint and the curl line; json and http stay data', async () => {
    const kek = new Uint8Array(32).fill(7);
    const job = { repo: 'octo-org/octo-repo', ref: 'main' };
    const shell = await ciEnv({ kek, baseUrl: 'https://localhost:8443', caFile: '/d/tls/ca.crt' }, job);
    assert.ok(
      shell.endsWith(
        `# The request URL is credless's HTTPS: ${caTrustHint('/d/tls/ca.crt')}. The token, e.g.:\n` +
          `# ${actionsTokenCurl('/d/tls/ca.crt')}\n`,
      ),
      shell,
    );
    assert.ok(shell.startsWith('export ACTIONS_ID_TOKEN_REQUEST_URL='));
    const json = await ciEnv({ kek, baseUrl: 'https://localhost:8443' }, { ...job, format: 'json' });
    assert.ok(JSON.parse(json)['ACTIONS_ID_TOKEN_REQUEST_URL']);
    assert.ok(!(await ciEnv({ kek, baseUrl: 'http://127.0.0.1:8080' }, job)).includes('#'));
  });

  test("README: the curl example under `credless ci env` is ci env's line, preceded by the hint", () => {
    const line = actionsTokenCurl('.credless/tls/ca.crt');
    assert.ok(README.includes(`# the request URL is credless's HTTPS: ${caTrustHint()}\n${line}\n`), line);
  });

  test('README: the SDK snippet carries the hint', () => {
    const snippet = /```ts\nimport \{ WorkloadIdentityCredential \}[\s\S]*?```/.exec(README)?.[0] ?? '';
    assert.ok(
      snippet.includes(`// A local credless's certificate is signed by its own CA: ${caTrustHint()}\n`),
    );
  });
});
