/**
 * The operator flow, driven through the console's UI (as a user clicks it) and, for what a
 * workload does, through the real endpoints: an emulated GitHub Actions job (`credless ci env`) fetches
 * its OIDC token and exchanges it at the token endpoint. Shared by the browser tests and the
 * screenshot script.
 * @module
 */
import { request } from 'node:https';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import type { RunningCredless } from './support/credless-up.ts';

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** Opens a console page by its navigation link and waits for its heading. */
export async function openPage(page: Page, navLabel: string, heading = navLabel): Promise<void> {
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: navLabel }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** Registers an application through "New registration"; resolves on its page. */
export async function createApplication(page: Page, name: string): Promise<void> {
  await openPage(page, 'App registrations');
  await page.getByRole('button', { name: 'New registration' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** The application's client id, read from its Overview section. */
export async function applicationClientId(page: Page): Promise<string> {
  await page.getByRole('tab', { name: 'Overview' }).click();
  const text = await page
    .getByText(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    .first()
    .textContent();
  return (text ?? '').trim();
}

export interface GitHubCredentialInput {
  name: string;
  organization: string;
  repository: string;
  environment: string;
}

/** Opens "Add credential" and fills the GitHub Actions scenario for credless's emulated issuer. */
export async function fillGitHubCredential(page: Page, input: GitHubCredentialInput): Promise<void> {
  await page.getByRole('tab', { name: 'Federated credentials' }).click();
  await page.getByRole('button', { name: 'Add credential' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Federated credential scenario').selectOption('github');
  await dialog.getByRole('radio', { name: /emulated GitHub Actions/ }).check();
  await dialog.getByLabel('Organization').fill(input.organization);
  await dialog.getByLabel('Repository').fill(input.repository);
  await dialog.getByLabel('Entity type').selectOption('environment');
  await dialog.getByLabel('Based on selection: Environment').fill(input.environment);
  await dialog.getByLabel(/^Name/).fill(input.name);
}

/** Adds the GitHub Actions credential through the scenario picker; resolves when the list shows it. */
export async function addGitHubCredential(page: Page, input: GitHubCredentialInput): Promise<void> {
  await fillGitHubCredential(page, input);
  await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: input.name, exact: true }).waitFor();
}

/** Requests a Microsoft Graph application permission and presses Grant admin consent. */
export async function addGraphPermissionAndConsent(page: Page, permission: string): Promise<void> {
  await page.getByRole('tab', { name: 'API permissions' }).click();
  await page.getByRole('button', { name: 'Add a permission' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Microsoft Graph application permission').selectOption({ label: permission });
  await dialog.getByRole('button', { name: 'Add permission' }).click();
  await page.getByRole('row', { name: new RegExp(`${permission}.*Not granted`) }).waitFor();
  await page.getByRole('button', { name: 'Grant admin consent' }).click();
  await page.getByRole('row', { name: new RegExp(`${permission}.*Granted`) }).waitFor();
}

function post(url: string, caPem: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', ca: caPem, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A GitHub Actions OIDC token from credless's emulated issuer, for a job of `repo` in `environment`. */
export async function gitHubActionsToken(
  server: RunningCredless,
  repo: string,
  environment: string,
): Promise<string> {
  const run = await server.cli([
    'ci',
    'env',
    '--repo',
    repo,
    '--ref',
    'main',
    '--environment',
    environment,
    '--format',
    'json',
    '--url',
    server.url,
    '--data-dir',
    server.dataDir,
  ]);
  if (run.code !== 0) throw new Error(`credless ci env failed (${run.code}): ${run.stderr}`);
  const job = JSON.parse(run.stdout) as Record<string, string>;
  const url = new URL(`${job['ACTIONS_ID_TOKEN_REQUEST_URL']}&audience=${FEDERATION_AUDIENCE}`);
  const answer = await server.fetch('GET', `${url.pathname}${url.search}`, {
    headers: { authorization: `Bearer ${job['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}` },
  });
  if (answer.status !== 200) throw new Error(`the emulated issuer answered ${answer.status}: ${answer.text}`);
  return (answer.json() as { value: string }).value;
}

/** The workload's exchange: client credentials with the federated token as client assertion. */
export function exchange(server: RunningCredless, clientId: string, assertion: string) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    scope: GRAPH_SCOPE,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }).toString();
  return post(
    `${server.url}/${server.tenantId}/oauth2/v2.0/token`,
    server.caPem,
    { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  );
}

/** The page's DOM, for functions that run in the page (these tests are typechecked as Node code). */
export interface PageGlobals {
  document: { querySelector: (selector: string) => unknown };
  localStorage: { setItem: (key: string, value: string) => void };
}
/** Resolves when no spinner is left on the page (the page's data has loaded). */
export async function settled(page: Page): Promise<void> {
  // A function, not a string (the console's CSP allows no eval); it runs in the page, so no closure.
  await page.waitForFunction(
    () => !(globalThis as unknown as PageGlobals).document.querySelector('[role=progressbar]'),
  );
}

/** Makes the next pages of `page` open in `theme` (what the theme toggle remembers). */
export async function rememberTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.addInitScript(
    (name) => (globalThis as unknown as PageGlobals).localStorage.setItem('credless-console-theme', name),
    theme,
  );
}

/** Switches the console's theme with its toggle in the header. */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByRole('switch', { name: 'Dark theme' });
  if ((await toggle.isChecked()) !== (theme === 'dark')) await toggle.click();
}

/**
 * axe-core's serious and critical violations on the page as it stands (rule id: targets). Tabster's
 * focus sentinels (the `<i data-tabster-dummy>` Fluent UI puts around tab lists and dialogs, which hand
 * focus on at once and hold no content) are left out: axe reads them as focusable hidden content.
 */
export async function seriousViolations(page: Page, rules?: string[]): Promise<string[]> {
  // Colours mid-transition (a theme switch, a button becoming enabled) are neither theme's: let every
  // running CSS transition and animation finish before axe measures contrast.
  await page.evaluate(() =>
    Promise.all(
      (
        globalThis as unknown as { document: { getAnimations(): Array<{ finished: Promise<unknown> }> } }
      ).document
        .getAnimations()
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const builder = new AxeBuilder({ page }).exclude('[data-tabster-dummy]');
  const results = await (rules ? builder.withRules(rules) : builder).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(' | ')}`,
    );
}
