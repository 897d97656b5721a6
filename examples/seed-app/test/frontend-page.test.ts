import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { lookUpOrganization, renderPage } from '../frontend/src/page.ts';

test('the organization name is shown as text, never as markup', async () => {
  const html = await renderPage('http://backend', { ok: true, organizationName: 'Contoso <script>&' });
  assert.ok(html.includes('It looks like your tenant organization name is Contoso &lt;script&gt;&amp;.'));
  assert.ok(!html.includes('<script>'));
});

test("a failed lookup shows the backend's status and error code", async () => {
  const html = await renderPage('http://backend', {
    ok: false,
    status: 403,
    code: 'Authorization_RequestDenied',
    message: 'Insufficient privileges',
  });
  assert.match(html, /\(HTTP 403\): <code>Authorization_RequestDenied<\/code> Insufficient privileges/);
});

test('an unreachable backend is a lookup failure, not an exception', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const lookup = await lookUpOrganization(`http://127.0.0.1:${port}`);
  assert.equal(lookup.ok, false);
  assert.equal(!lookup.ok && lookup.code, 'BackendUnreachable');
});
