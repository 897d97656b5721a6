import assert from 'node:assert/strict';
/**
 * Debian's chromium driven by playwright-core for the console's browser tests: never a downloaded
 * browser. Without /usr/bin/chromium the test skips, saying so.
 *
 * For the pages: GET /console/api/session answers 401 `no_session` with the message "Your session has
 * ended. …" when the browser's cookie names a revoked or expired session, and "Not signed in. …" when
 * there is no cookie; signin.browser.test.ts expects the sign-in page to show that message on load.
 * @module
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { RunningCredless } from './credless-up.ts';

export const CHROMIUM = '/usr/bin/chromium';
const SIGN_IN_TIMEOUT_MS = 30_000;

/** The browser, or undefined after skipping `t` loudly when chromium is not installed. */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    t.skip(
      `SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium); the console's browser tests need it`,
    );
    return undefined;
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/**
 * A browser context for `server`: its local CA is not in chromium's store, so certificate errors are
 * ignored for this context only (the server is the one the test started on localhost).
 */
export function newConsoleContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/** The browser's console errors and page errors, collected for assertions (no console errors allowed). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Opens a sign-in link (default: a fresh one from `credless console`) in a new page and waits until
 * the console shows the tenant's name: signed in.
 */
export async function openSignedIn(
  browser: Browser,
  server: RunningCredless,
  options: { link?: string; tenantName?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newConsoleContext(browser);
  const page = await context.newPage();
  await page.goto(options.link ?? (await server.newSignInLink()));
  await page
    .getByText(options.tenantName ?? DEFAULT_TENANT_NAME, { exact: false })
    .first()
    .waitFor({ timeout: SIGN_IN_TIMEOUT_MS });
  return { context, page };
}

/** The display name `credless up` gives the default tenant (CREDLESS_ORGANIZATION_NAME unset). */
export const DEFAULT_TENANT_NAME = 'Credless Local';

/**
 * Chromium logs every refused request as a console error; a bad-input test causes exactly one. Takes that
 * one out of `errors` (so that any other error still fails the test that checks none was logged).
 */
export function takeRefusedRequestLog(errors: string[], status: number): void {
  const index = errors.findIndex((text) => text.includes(`status of ${status}`));
  assert.notEqual(
    index,
    -1,
    `chromium logged no refused request with status ${status}: ${errors.join('; ')}`,
  );
  errors.splice(index, 1);
}
