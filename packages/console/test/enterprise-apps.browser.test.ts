/**
 * Enterprise applications › "Add assignment" in Debian's chromium against a real `credless up`: assign
 * one of an API's roles to another application's service principal and see it listed (and in Graph);
 * a role disabled while the dialog was open and an unknown principal are refused by the API, whose
 * message shows at the field, and nothing is assigned; remove the assignment; axe finds no serious or
 * critical violation in the dialog, light or dark; the browser logs no other error.
 * @module
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openPage, seriousViolations, setTheme, settled } from './console-flow.ts';
import {
  CHROMIUM,
  collectPageErrors,
  launchChromium,
  openSignedIn,
  takeRefusedRequestLog,
} from './support/browser.ts';
import { type RunningCredless, startCredless } from './support/credless-up.ts';

const NO_CHROMIUM = `SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium): the console's browser tests need it`;
const API = 'orders-api';
const WORKER = 'orders-worker';
const READ = { id: randomUUID(), value: 'Orders.Read', displayName: 'Read orders' };
const WRITE = { id: randomUUID(), value: 'Orders.Write', displayName: 'Write orders' };
const role = (entry: typeof READ, isEnabled = true) => ({
  ...entry,
  description: entry.displayName,
  allowedMemberTypes: ['Application'],
  isEnabled,
});

interface Assignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

/** Graph as the page calls it (the session cookie and its CSRF header): status and JSON body. */
async function graph(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = (await (await fetch('/console/api/session')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method,
        headers: { 'x-credless-csrf': session.csrfToken, 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    },
    { method, path, body },
  );
}

/** An application and its service principal; the principal's object id. */
async function createPrincipal(page: Page, displayName: string, appRoles: unknown[] = []) {
  const app = await graph(page, 'POST', '/v1.0/applications', { displayName, appRoles });
  assert.equal(app.status, 201, JSON.stringify(app.json));
  const { appId, id } = app.json as { appId: string; id: string };
  const sp = await graph(page, 'POST', '/v1.0/servicePrincipals', { appId });
  assert.equal(sp.status, 201, JSON.stringify(sp.json));
  return { applicationId: id, principalId: (sp.json as { id: string }).id };
}

describe('Enterprise applications: add and remove app role assignments', { timeout: 600_000 }, () => {
  let server: RunningCredless;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let resource: { applicationId: string; principalId: string };
  let worker: { principalId: string };

  const assignedTo = async () => {
    const answer = await graph(
      page,
      'GET',
      `/v1.0/servicePrincipals/${resource.principalId}/appRoleAssignedTo`,
    );
    assert.equal(answer.status, 200);
    return (answer.json as { value: Assignment[] }).value;
  };
  const grantedTable = () => page.getByRole('table', { name: 'Roles granted on it' });

  /** Opens the API's page and its "Add assignment" dialog, with the worker picked from the list. */
  const openDialogWithWorker = async () => {
    await openPage(page, 'Enterprise applications');
    await page.getByRole('link', { name: API, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: API }).waitFor();
    await page.getByRole('button', { name: 'Add assignment' }).click();
    const dialog = page.getByRole('dialog', { name: `Add assignment to ${API}` });
    // Typed (not filled): the list opens on keystrokes, as for a user.
    await dialog.getByRole('combobox', { name: /^Service principal/ }).pressSequentially('orders-w');
    await page.getByRole('option', { name: WORKER, exact: true }).click();
    return dialog;
  };

  before(async (t) => {
    if (!existsSync(CHROMIUM)) return;
    server = await startCredless();
    browser = await launchChromium(t as TestContext);
    if (!browser) return;
    ({ page } = await openSignedIn(browser, server));
    errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1400, height: 900 });
    page.setDefaultTimeout(10_000);
    resource = await createPrincipal(page, API, [role(READ), role(WRITE)]);
    worker = await createPrincipal(page, WORKER);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('assign a role to another service principal: listed, and in Graph', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const dialog = await openDialogWithWorker();
    await dialog.getByRole('combobox', { name: /^Role/ }).selectOption(READ.id);
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await dialog.waitFor({ state: 'detached' });
    await grantedTable()
      .getByRole('row', { name: new RegExp(`${WORKER}.*${API}.*${READ.value}`) })
      .waitFor();
    const found = await assignedTo();
    assert.deepEqual(
      found.map(({ principalId, resourceId, appRoleId }) => ({ principalId, resourceId, appRoleId })),
      [{ principalId: worker.principalId, resourceId: resource.principalId, appRoleId: READ.id }],
    );
  });

  test('a role disabled while the dialog was open: the API refuses it at Role, nothing assigned', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const dialog = await openDialogWithWorker();
    const roleField = dialog.getByRole('combobox', { name: /^Role/ });
    await roleField.selectOption(WRITE.id);
    // Someone else disables Orders.Write meanwhile: the dialog still offers it, the API has the last word.
    const patched = await graph(page, 'PATCH', `/v1.0/applications/${resource.applicationId}`, {
      appRoles: [role(READ), role(WRITE, false)],
    });
    assert.equal(patched.status, 204, JSON.stringify(patched.json));
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await dialog
      .getByText(
        `Invalid value for 'appRoleId': '${WRITE.id}' is not an enabled application role of '${API}'`,
      )
      .waitFor();
    assert.equal(await roleField.getAttribute('aria-invalid'), 'true', 'the message sits at the Role field');
    assert.equal(
      await dialog.getByText('Request failed').count(),
      0,
      'and not in a banner above the buttons',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    takeRefusedRequestLog(errors, 400);
    assert.deepEqual(
      (await assignedTo()).map((a) => a.appRoleId),
      [READ.id],
    );
    assert.equal(
      await grantedTable()
        .getByRole('row', { name: new RegExp(WRITE.value) })
        .count(),
      0,
    );
  });

  test('an object id that names no service principal: refused at Service principal, nothing assigned', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const unknown = randomUUID();
    // Opened afresh: the page reads the API's roles again.
    await openPage(page, 'Enterprise applications');
    await page.getByRole('link', { name: API, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: API }).waitFor();
    await page.getByRole('button', { name: 'Add assignment' }).click();
    const dialog = page.getByRole('dialog', { name: `Add assignment to ${API}` });
    const picker = dialog.getByRole('combobox', { name: /^Service principal/ });
    await picker.pressSequentially(unknown);
    // The role list no longer offers the disabled Orders.Write.
    const roleField = dialog.getByRole('combobox', { name: /^Role/ });
    assert.deepEqual(await roleField.locator('option').allTextContents(), [
      `${READ.displayName} (${READ.value})`,
    ]);
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await dialog
      .getByText(`Invalid value for 'principalId': no service principal '${unknown}' in this tenant`)
      .waitFor();
    assert.equal(await picker.getAttribute('aria-invalid'), 'true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    takeRefusedRequestLog(errors, 400);
    assert.equal((await assignedTo()).length, 1);
  });

  test('the dialog, light and dark: no serious or critical axe violation', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const found: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.getByRole('button', { name: 'Add assignment' }).click();
      const dialog = page.getByRole('dialog', { name: `Add assignment to ${API}` });
      await dialog.waitFor();
      await settled(page);
      found.push(...(await seriousViolations(page)).map((violation) => `${theme} dialog: ${violation}`));
      // With the picker's list open too.
      await dialog.getByRole('combobox', { name: /^Service principal/ }).click();
      await page.getByRole('option', { name: WORKER, exact: true }).waitFor();
      found.push(...(await seriousViolations(page)).map((violation) => `${theme} picker: ${violation}`));
      await page.keyboard.press('Escape');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
    }
    await setTheme(page, 'light');
    assert.deepEqual(found, []);
  });

  test('remove the assignment: gone from the list and from Graph', async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    await grantedTable()
      .getByRole('button', { name: `Remove ${READ.value} of ${WORKER} on ${API}` })
      .click();
    const confirm = page.getByRole('dialog', { name: 'Remove assignment' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page
      .getByRole('region', { name: 'Roles granted on it' })
      .getByText('None.', { exact: true })
      .waitFor();
    assert.deepEqual(await assignedTo(), []);
  });

  test("removed from the holder's side: Roles it holds, through appRoleAssignments", async (t) => {
    if (!browser) return t.skip(NO_CHROMIUM);
    const granted = await graph(
      page,
      'POST',
      `/v1.0/servicePrincipals/${worker.principalId}/appRoleAssignments`,
      {
        resourceId: resource.principalId,
        appRoleId: READ.id,
      },
    );
    assert.equal(granted.status, 201, JSON.stringify(granted.json));
    await openPage(page, 'Enterprise applications');
    await page.getByRole('link', { name: WORKER, exact: true }).click();
    await page
      .getByRole('table', { name: 'Roles it holds' })
      .getByRole('button', { name: `Remove ${READ.value} of ${WORKER} on ${API}` })
      .click();
    await page
      .getByRole('dialog', { name: 'Remove assignment' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByRole('region', { name: 'Roles it holds' }).getByText('None.', { exact: true }).waitFor();
    assert.deepEqual(await assignedTo(), []);
    assert.deepEqual(errors, [], 'the browser logged errors');
  });
});
