/**
 * `npm run screenshots:console`: every console page in the light and the dark theme, as PNGs in
 * docs/screenshots/console/ (README's console section shows them). Starts a real `credless up`
 * (npm run build first), walks the flow to give the pages something to show, then visits each.
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../../../scripts/package-builds.ts';
import {
  addGitHubCredential,
  addGraphPermissionAndConsent,
  applicationClientId,
  createApplication,
  exchange,
  gitHubActionsToken,
  openPage,
  rememberTheme,
  setTheme,
  settled,
} from './console-flow.ts';
import { CHROMIUM, newConsoleContext, openSignedIn } from './support/browser.ts';
import { startCredless } from './support/credless-up.ts';

const OUT = join(ROOT, 'docs', 'screenshots', 'console');
const APP = 'orders-api';

async function main(): Promise<void> {
  const { chromium } = await import('playwright-core');
  await mkdir(OUT, { recursive: true });
  const server = await startCredless();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const { page } = await openSignedIn(browser, server);
    await page.setViewportSize({ width: 1360, height: 860 });
    // Something to show: an application with a credential, a consented permission, sign-ins, a secret holder.
    await createApplication(page, APP);
    const clientId = await applicationClientId(page);
    await addGitHubCredential(page, {
      name: 'deploy-production',
      organization: 'contoso',
      repository: 'orders',
      environment: 'production',
    });
    await addGraphPermissionAndConsent(page, 'Application.Read.All');
    await exchange(server, clientId, await gitHubActionsToken(server, 'contoso/orders', 'production'));
    await exchange(server, clientId, await gitHubActionsToken(server, 'contoso/orders', 'staging'));
    await createApplication(page, 'legacy-batch');
    await page.getByRole('tab', { name: 'Certificates & secrets' }).click();
    await page.getByRole('button', { name: 'New client secret' }).click();
    await page.getByRole('dialog').getByLabel('Description').fill('nightly job');
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    const shots: Array<{ name: string; open: () => Promise<void> }> = [
      { name: 'overview', open: () => openPage(page, 'Overview') },
      { name: 'app-registrations', open: () => openPage(page, 'App registrations') },
      ...['Overview', 'Certificates & secrets', 'Federated credentials', 'API permissions', 'App roles'].map(
        (tab) => ({
          name: `app-${tab.toLowerCase().replace(/[^a-z]+/g, '-')}`,
          open: async () => {
            await openPage(page, 'App registrations');
            await page.getByRole('link', { name: APP }).click();
            await page.getByRole('tab', { name: tab }).click();
          },
        }),
      ),
      {
        name: 'add-credential',
        open: async () => {
          await openPage(page, 'App registrations');
          await page.getByRole('link', { name: APP }).click();
          await page.getByRole('tab', { name: 'Federated credentials' }).click();
          await page.getByRole('button', { name: 'Add credential' }).click();
          const dialog = page.getByRole('dialog');
          await dialog.getByRole('radio', { name: /emulated GitHub Actions/ }).check();
          await dialog.getByLabel('Organization').fill('contoso');
          await dialog.getByLabel('Repository').fill('orders');
          await dialog.getByLabel('Based on selection: Environment').fill('staging');
          await dialog.getByLabel(/^Name/).fill('deploy-staging');
        },
      },
      { name: 'enterprise-applications', open: () => openPage(page, 'Enterprise applications') },
      { name: 'groups', open: () => openPage(page, 'Groups') },
      {
        name: 'sign-in-logs',
        open: async () => {
          await openPage(page, 'Sign-in logs');
          await page
            .getByRole('row', { name: /Failure/ })
            .first()
            .getByRole('button', { name: /Details/ })
            .click();
        },
      },
      {
        name: 'test-a-token',
        open: async () => {
          await openPage(page, 'Test a token');
          await page.getByLabel('Application').selectOption(clientId);
          await page
            .getByLabel('Token (JWT)')
            .fill(await gitHubActionsToken(server, 'contoso/orders', 'staging'));
          await page.getByRole('button', { name: 'Test token' }).click();
          await page.getByText('would be refused').waitFor();
        },
      },
      { name: 'issuer-policy', open: () => openPage(page, 'Issuer policy') },
      { name: 'secret-inventory', open: () => openPage(page, 'Secret inventory') },
      { name: 'console-sessions', open: () => openPage(page, 'Console sessions') },
    ];
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      for (const shot of shots) {
        if (await page.getByRole('dialog').count()) await page.keyboard.press('Escape');
        await shot.open();
        await settled(page);
        await page.screenshot({ path: join(OUT, `${shot.name}-${theme}.png`), fullPage: true });
        console.log(`wrote docs/screenshots/console/${shot.name}-${theme}.png`);
      }
      await page.keyboard.press('Escape');
      // The sign-in page, as a browser without a session sees it (the theme is remembered per browser).
      const context = await newConsoleContext(browser);
      const signedOut = await context.newPage();
      await signedOut.setViewportSize({ width: 1360, height: 860 });
      await rememberTheme(signedOut, theme);
      await signedOut.goto(`${server.url}/console/`);
      await signedOut.getByText('Sign in to the credless console.').waitFor();
      await signedOut.screenshot({ path: join(OUT, `sign-in-${theme}.png`) });
      console.log(`wrote docs/screenshots/console/sign-in-${theme}.png`);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
