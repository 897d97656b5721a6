/**
 * The acceptance flow in Debian's chromium against a real `credless up`: create an application,
 * add a GitHub Actions credential through the scenario picker and a claims-matching expression (checked
 * as typed, with the parser's error position), request a Graph permission and grant
 * admin consent, see a real exchange (an emulated GitHub Actions job) and a refused one in the sign-in
 * logs with its explanation diff, test a token on the Test page; bad input shows the API's error next
 * to the field and changes nothing; axe finds no serious or critical violation on any page, light or
 * dark; and the browser logs no error.
 * @module
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  addGitHubCredential,
  addGraphPermissionAndConsent,
  applicationClientId,
  createApplication,
  exchange,
  fillGitHubCredential,
  seriousViolations as findViolations,
  gitHubActionsToken,
  openPage,
  setTheme,
  settled,
} from './console-flow.ts';
import {
  CHROMIUM,
  collectPageErrors,
  launchChromium,
  openSignedIn,
  takeRefusedRequestLog,
} from './support/browser.ts';
import { type RunningCredless, startCredless } from './support/credless-up.ts';

const NO_CHROMIUM = `SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium): the console's browser tests need it`;
const APP = 'console-acceptance';
const REPO = { organization: 'contoso', repository: 'web' };
const CREDENTIAL = { ...REPO, name: 'deploy-production', environment: 'production' };
/** On GitHub's own issuer (not the emulated one the exchanges use), so it takes no part in them. */
const EXPRESSION_CREDENTIAL = {
  name: 'any-contoso-repository',
  issuer: 'https://token.actions.githubusercontent.com',
  expression: "claims['sub'] matches 'repo:contoso/*'",
};
const NAV_PAGES = [
  'Overview',
  'App registrations',
  'Enterprise applications',
  'Groups',
  'Sign-in logs',
  'Test a token',
  'Issuer policy',
  'Secret inventory',
  'Console sessions',
];

/** The console's own API as the page calls it (the session cookie and its CSRF header). */
async function consoleApi(page: Page, path: string): Promise<unknown> {
  return page.evaluate(async (target) => {
    const session = (await (await fetch('/console/api/session')).json()) as { csrfToken: string };
    const response = await fetch(target, { headers: { 'x-credless-csrf': session.csrfToken } });
    return response.json();
  }, path);
}

describe('the console in chromium against credless up', { timeout: 600_000 }, () => {
  let server: RunningCredless;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let clientId: string;

  before(async (t) => {
    // Without chromium every test skips, saying why (below); credless is not even started.
    if (!existsSync(CHROMIUM)) return;
    server = await startCredless();
    browser = await launchChromium(t as TestContext);
    if (!browser) return;
    ({ page } = await openSignedIn(browser, server));
    errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1400, height: 900 });
    page.setDefaultTimeout(10_000);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a bad name shows the API error at the Name field and registers nothing', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await openPage(page, 'App registrations');
    await page.getByRole('button', { name: 'New registration' }).click();
    await page.getByLabel('Name').fill('   ');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByText(/Invalid value for 'displayName'/).waitFor();
    // At the field: its input is marked invalid and described by the message.
    assert.equal(await page.getByLabel('Name').getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Cancel' }).click();
    takeRefusedRequestLog(errors, 400);
    const apps = (await consoleApi(page, '/v1.0/applications')) as { value: Array<{ displayName: string }> };
    assert.ok(!apps.value.some((app) => app.displayName.trim() === ''), 'nothing was registered');
  });

  test('create an application and add a GitHub Actions credential through the picker', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await createApplication(page, APP);
    clientId = await applicationClientId(page);
    assert.match(clientId, /^[0-9a-f-]{36}$/);
    await addGitHubCredential(page, CREDENTIAL);
    await page.getByText('repo:contoso/web:environment:production').waitFor();
  });

  test('a duplicate credential shows the API error at the Name field and changes nothing', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await fillGitHubCredential(page, { ...CREDENTIAL, environment: 'staging' });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.getByText(/already exists/).waitFor();
    // The message sits in the Name field's validation slot, not in a banner.
    const nameField = dialog.getByLabel(/^Name/);
    assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    takeRefusedRequestLog(errors, 409);
    const apps = (await consoleApi(
      page,
      `/v1.0/applications(appId='${clientId}')/federatedIdentityCredentials`,
    )) as {
      value: unknown[];
    };
    assert.equal(apps.value.length, 1);
  });

  test("a claims-matching expression: the parser's error and position as typed, Add only once it parses", async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await page.getByRole('tab', { name: 'Federated credentials' }).click();
    await page.getByRole('button', { name: 'Add credential' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Federated credential scenario').selectOption('other');
    await dialog.getByLabel(/^Issuer/).fill(EXPRESSION_CREDENTIAL.issuer);
    await dialog.getByRole('radio', { name: 'Claims matching expression' }).check();
    const expression = dialog.getByRole('textbox', { name: /^Claims matching expression/ });
    await expression.fill("claims['sub'] equals 'repo:contoso/*'");
    // 'equals' starts in column 15: the parser's reason says so and a caret sits under it.
    await dialog.getByText("expected 'matches' or 'eq' at position 15").waitFor();
    assert.match((await dialog.locator('pre').textContent()) ?? '', /\n {14}\^$/);
    assert.equal(await expression.getAttribute('aria-invalid'), 'true');
    await dialog.getByLabel(/^Name/).fill(EXPRESSION_CREDENTIAL.name);
    assert.equal(
      await dialog.getByRole('button', { name: 'Add' }).isDisabled(),
      true,
      'no save while invalid',
    );
    await expression.fill(EXPRESSION_CREDENTIAL.expression);
    assert.equal(await dialog.getByText(/at position/).count(), 0, 'the error is gone once it parses');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: EXPRESSION_CREDENTIAL.expression, exact: true }).waitFor();
    const saved = (await consoleApi(
      page,
      `/v1.0/applications(appId='${clientId}')/federatedIdentityCredentials`,
    )) as { value: Array<{ name: string; claimsMatchingExpression: { value: string } | null }> };
    const credential = saved.value.find((candidate) => candidate.name === EXPRESSION_CREDENTIAL.name);
    assert.deepEqual(credential?.claimsMatchingExpression, {
      value: EXPRESSION_CREDENTIAL.expression,
      languageVersion: 1,
    });
  });

  test('add the Graph permission and grant admin consent', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await addGraphPermissionAndConsent(page, 'Application.Read.All');
  });

  test('a real exchange and a refused one appear in Sign-in logs, the refused one with its diff', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const good = await exchange(
      server,
      clientId,
      await gitHubActionsToken(server, 'contoso/web', 'production'),
    );
    assert.equal(good.status, 200, good.text);
    assert.match(good.text, /access_token/);
    const bad = await exchange(server, clientId, await gitHubActionsToken(server, 'contoso/web', 'staging'));
    assert.equal(bad.status, 401, bad.text);
    assert.match(bad.text, /AADSTS700213/);

    await openPage(page, 'Sign-in logs');
    await page
      .getByRole('row', { name: /Success/ })
      .first()
      .waitFor({ timeout: 20_000 });
    const failure = page.getByRole('row', { name: /Failure/ }).first();
    await failure.waitFor({ timeout: 20_000 });
    await failure.getByRole('button', { name: /Details/ }).click();
    const detail = page.getByRole('complementary', { name: 'Sign-in details' });
    await detail.getByRole('heading', { name: /Nearest miss: deploy-production/ }).waitFor();
    const diff = detail.getByRole('table', { name: 'Differences from deploy-production' });
    const subjectRow = diff.getByRole('row', { name: /subject/ });
    assert.match(
      (await subjectRow.textContent()) ?? '',
      /environment:production.*environment:staging.*differs/s,
    );
    assert.match((await detail.textContent()) ?? '', /Correlation ID/);
  });

  test('the Test page tells which credential a token matches', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await openPage(page, 'Test a token');
    await page.getByLabel('Application').selectOption(clientId);
    await page.getByLabel('Token (JWT)').fill(await gitHubActionsToken(server, 'contoso/web', 'production'));
    await page.getByRole('button', { name: 'Test token' }).click();
    await page.getByText('would be accepted').waitFor();
    assert.match(
      (await page.getByRole('main').textContent()) ?? '',
      /Matched credential\s*deploy-production/,
    );
  });

  test('an oversize pinned JWKS upload shows the API error at its field and trusts nothing', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const issuer = 'https://oversize.example.com';
    // One key more than an issuer policy accepts (core's MAX_JWKS_KEYS is 100).
    const keys = Array.from({ length: 101 }, (_, n) => ({
      kty: 'RSA',
      kid: `k${n}`,
      n: 'AQAB'.repeat(64),
      e: 'AQAB',
    }));
    await openPage(page, 'Issuer policy');
    await page.getByRole('button', { name: 'Add trusted issuer' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Issuer URL/).fill(issuer);
    await dialog.locator('input[type=file]').setInputFiles({
      name: 'jwks.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ keys })),
    });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText(/more than 100 keys/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    takeRefusedRequestLog(errors, 400);
    const policy = (await consoleApi(page, '/v1.0/credless/issuerPolicy')) as {
      trustedIssuers: Array<{ issuer: string }>;
    };
    assert.ok(!policy.trustedIssuers.some((entry) => entry.issuer === issuer), 'nothing was trusted');
  });

  test('every page, light and dark: no serious or critical axe violation, no browser error', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const found: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      // Every rule in the light theme; in the dark one only what a theme changes: colour contrast.
      const seriousViolations = (target: Page) =>
        findViolations(target, theme === 'dark' ? ['color-contrast'] : undefined);
      for (const name of NAV_PAGES) {
        await openPage(page, name);
        await settled(page);
        found.push(...(await seriousViolations(page)).map((violation) => `${theme} ${name}: ${violation}`));
      }
      await openPage(page, 'App registrations');
      await page.getByRole('link', { name: APP }).click();
      for (const tab of [
        'Overview',
        'Certificates & secrets',
        'Federated credentials',
        'API permissions',
        'App roles',
      ]) {
        await page.getByRole('tab', { name: tab }).click();
        await settled(page);
        found.push(
          ...(await seriousViolations(page)).map((violation) => `${theme} ${APP} ${tab}: ${violation}`),
        );
      }
    }
    assert.deepEqual(found, []);
    assert.deepEqual(errors, [], 'the browser logged errors');
  });
});
