/**
 * Signing in to the console in Debian's chromium against a real `credless up`: the link `credless up`
 * printed signs the browser in (the page shows the tenant's name, the code leaves the address bar), the
 * same link a second time and a made-up code are refused with the API's message, and a session revoked
 * through the API (from a second session) ends: its next API call is refused, the next page shows that
 * the session ended, a reload still says so (the server tells a stale cookie from none), and the reload
 * after that, the cookie cleared, shows the plain sign-in page.
 * A code's five-minute expiry needs a clock the test controls: packages/server/test/console covers it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  collectPageErrors,
  DEFAULT_TENANT_NAME,
  launchChromium,
  newConsoleContext,
  openSignedIn,
} from './support/browser.ts';
import { type RunningCredless, startCredless } from './support/credless-up.ts';

const REFUSED = 'This sign-in link has expired or was already used';
const ENDED = 'Your session has ended';
const NOT_SIGNED_IN = 'Sign in to the credless console';
/** What the sign-in page says to do. */
const NEW_LINK_HINT = 'for a new sign-in link';

let server: RunningCredless | undefined;

before(async () => {
  server = await startCredless();
});
after(async () => {
  await server?.stop();
});

/** Runs `fetch` in the page, as the console does: same origin, with the session's CSRF header. */
function fetchInPage(page: Page, method: string, path: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ method, path }) => {
      const session = await fetch('/console/api/session', { credentials: 'same-origin' });
      const { csrfToken } = (await session.json()) as { csrfToken: string };
      const response = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { 'x-credless-csrf': csrfToken },
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    { method, path },
  );
}

async function newPage(browser: Browser): Promise<Page> {
  return (await newConsoleContext(browser)).newPage();
}

test('sign in with the printed link; reused and unknown codes are refused; revoked sessions end', async (t) => {
  const browser = await launchChromium(t);
  if (!browser || !server) return;
  try {
    const { page } = await openSignedIn(browser, server, { link: server.printedLink });
    const errors = collectPageErrors(page);
    assert.ok(!page.url().includes('code='), `the code left the address bar: ${page.url()}`);
    await page.getByText(DEFAULT_TENANT_NAME).first().waitFor();

    // The printed link again, in another browser: refused, with the API's message.
    const reused = await newPage(browser);
    await reused.goto(server.printedLink);
    await reused.getByText(REFUSED).first().waitFor();
    const unknown = await newPage(browser);
    await unknown.goto(`${server.url}/console/#code=${'A'.repeat(43)}`);
    await unknown.getByText(REFUSED).first().waitFor();

    // A second session revokes the first through the API.
    const { page: other } = await openSignedIn(browser, server);
    const sessions = await fetchInPage(other, 'GET', '/console/api/sessions');
    assert.equal(sessions.status, 200);
    const listed = (sessions.body as { value: Array<{ id: string; current: boolean }> }).value;
    const first = await fetchInPage(page, 'GET', '/console/api/session');
    const { id: firstId, csrfToken } = first.body as { id: string; csrfToken: string };
    assert.ok(listed.some((session) => session.id === firstId && !session.current));
    const revoked = await fetchInPage(other, 'DELETE', `/console/api/sessions/${firstId}`);
    assert.equal(revoked.status, 204);

    // The revoked browser: an API call with its (former) CSRF token is a 401, the next page it opens
    // shows that the session ended, and so does a reload (the sign-in page, with how to get a link):
    // the cookie still names the revoked session. That answer clears it: the next reload is signed out.
    const afterRevoke = await page.evaluate(
      async (csrf) => (await fetch('/v1.0/organization', { headers: { 'x-credless-csrf': csrf } })).status,
      csrfToken,
    );
    assert.equal(afterRevoke, 401);
    await page.getByText('App registrations').first().click();
    await page.getByText(ENDED).first().waitFor();
    await page.reload();
    await page.getByText(ENDED).first().waitFor();
    await page.getByText(NEW_LINK_HINT).first().waitFor();
    assert.equal(await page.getByText(NOT_SIGNED_IN).count(), 0, 'the reload says the session ended');
    assert.equal(await page.getByText(DEFAULT_TENANT_NAME).count(), 0, 'no tenant data once signed out');
    await page.reload();
    await page.getByText(NOT_SIGNED_IN).first().waitFor();
    assert.equal(await page.getByText(ENDED).count(), 0, 'no cookie: never signed in, nothing ended');
    // The other session is untouched.
    await other.reload();
    await other.getByText(DEFAULT_TENANT_NAME).first().waitFor();
    assert.deepEqual(
      errors.filter((error) => !/status of 401/.test(error)),
      [],
      'no browser console errors besides the expected 401',
    );
  } finally {
    await browser.close();
  }
});
