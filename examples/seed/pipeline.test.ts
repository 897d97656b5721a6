/**
 * The seed end to end: pipeline.sh runs twice against one real credless (both runs green, the second
 * changing nothing), then Debian's chromium opens the deployed frontend and sees the organization name;
 * after consent is revoked it sees the backend's 403, and the sign-in log shows why it is Graph, not the
 * token service, that refuses. One file, so the ~1-2 minutes of deployment serve every test.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import {
  CREDLESS_BIN,
  type Credless,
  launchChromium,
  PIPELINE,
  REPO_ROOT,
  type Run,
  readOutputs,
  run,
  SEED_APP_K8S,
  startCredless,
} from './support.ts';

const NAMESPACE = 'azure-workload-identity-system';
const CLUSTER = 'dev-aks';
const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';

describe('the seed pipeline against one credless', { timeout: 900_000 }, () => {
  let dir: string;
  let screenshots: string;
  let credless: Credless;
  let organizationName: string;
  const runs: Array<Run & { outputs: Record<string, string> }> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-seed-'));
    // Kept after the test (screenshots and pipeline logs are its evidence); everything else is removed.
    screenshots = await mkdtemp(join(tmpdir(), 'credless-seed-screenshots-'));
    credless = await startCredless(dir);
    const tenants = JSON.parse(await credless.cli('tenant', 'list')) as Array<{ displayName: string }>;
    organizationName = tenants[0]?.displayName ?? '';
    assert.ok(organizationName, 'the default tenant has an organization name');
  });
  after(async () => {
    await credless?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const runPipeline = async (n: number) => {
    const outputFile = join(dir, `outputs-${n}`);
    const result = await run('bash', [PIPELINE], { ...credless.env, GITHUB_OUTPUT: outputFile }, 400_000);
    const outputs = result.status === 0 ? await readOutputs(outputFile) : {};
    // Kept with the screenshots: the evidence of two consecutive runs.
    const log = join(screenshots, `pipeline-run-${n}.log`);
    await writeFile(log, `${result.stdout}${result.stderr}exit status ${result.status}\n`);
    console.log(`pipeline run ${n}: exit ${result.status}, output in ${log}`);
    runs.push({ ...result, outputs });
    return { ...result, outputs };
  };

  test('runs green and ends with the organization name the frontend shows', async () => {
    const first = await runPipeline(1);
    assert.equal(first.status, 0, `pipeline failed:\n${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /== 1\. Prerequisite/);
    assert.match(first.stdout, /== \d+\. Deploy workload-identity-app\n/);
    assert.ok(first.stdout.includes(`organization name: ${organizationName}\n`), first.stdout);
    assert.match(first.stdout, /deployment\/workload-identity-backend created/);
    assert.equal(first.outputs['organizationName'], organizationName);
    // The federated token is never printed (only its header and claims).
    assert.doesNotMatch(first.stdout, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });

  // What a new user does next: the declarative example on top of the sample (they must coexist), then
  // `plan --prune`, which must keep what credless's local platforms created. The run below proves the
  // sample's pipeline still runs green, changing nothing, after the example was applied.
  const example = join(REPO_ROOT, 'examples', 'identity.yaml');
  /** `credless <args>` with the cluster's issuer for the example's ${SERVICE_ACCOUNT_ISSUER}; must exit 0. */
  const exampleCli = async (...args: string[]) => {
    const env = { ...credless.env, SERVICE_ACCOUNT_ISSUER: runs[0]?.outputs['oidcUrl'] };
    const result = await run(CREDLESS_BIN, args, env);
    assert.equal(result.status, 0, `credless ${args.join(' ')}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  test("examples/identity.yaml applies on top of the sample; plan --prune keeps the platforms' identities", async () => {
    const outputs = runs[0]?.outputs ?? {};
    assert.equal(runs[0]?.status, 0, 'the first run must have passed');
    const cli = exampleCli;
    await cli('login', '-o', 'none');
    const applied = await cli('apply', '-f', example, '--yes');
    assert.match(applied, /Apply complete: \d+ created, \d+ updated, 0 deleted\./);
    // The sample's own objects are declared as the pipeline made them: nothing removed, its
    // credential untouched (Orders.Read is added to its permissions).
    assert.doesNotMatch(applied, /^- /m, applied);
    assert.doesNotMatch(applied, /kubernetes-federated-credential/, applied);
    assert.match(await cli('apply', '-f', example, '--yes'), /^No changes/);

    const pruning = await cli('plan', '-f', example, '--prune');
    assert.doesNotMatch(pruning, /^- /m, pruning);
    const kept = /^Kept \(created by credless's local platforms, never pruned\): (.*)\.$/m.exec(pruning);
    assert.ok(kept, pruning);
    for (const name of [`github-actions-credless-aks`, outputs['acrName'], `${CLUSTER}-agentpool`])
      assert.ok(kept[1]?.includes(`"${name}"`), `${name} kept:\n${pruning}`);

    // Someone changes the sample's credential (as an older example's apply did, clearing its
    // description): the next run must converge, not fail on the difference.
    await cli(
      'rest',
      '--method',
      'PATCH',
      '--uri',
      `${outputs['APPLICATION_OBJECT_ID']}/federatedIdentityCredentials(name='kubernetes-federated-credential')`,
      '--body',
      '{"description": "changed by hand"}',
    );
  });

  test('runs green again against the same credless, changing nothing', async () => {
    assert.equal(runs[0]?.status, 0, 'the first run must have passed');
    const second = await runPipeline(2);
    assert.equal(second.status, 0, `second run failed:\n${second.stdout}\n${second.stderr}`);
    assert.ok(second.stdout.includes(`organization name: ${organizationName}\n`), second.stdout);
    for (const object of [
      'serviceaccount/workload-identity-sa',
      'deployment/workload-identity-backend',
      'deployment/workload-identity-frontend',
      'service/workload-identity-frontend',
    ])
      assert.ok(second.stdout.includes(`${object} unchanged`), `${object} unchanged:\n${second.stdout}`);
    assert.doesNotMatch(second.stdout, / created$/m);
    // The same identities: nothing was created twice.
    for (const key of ['adminGroupId', 'APPLICATION_CLIENT_ID', 'oidcUrl', 'frontendUrl'])
      assert.equal(second.outputs[key], runs[0]?.outputs[key], key);
  });

  test("the second run put the sample's credential back: the example still plans no changes", async () => {
    assert.equal(runs[1]?.status, 0, 'the second run must have passed');
    assert.match(await exampleCli('plan', '-f', example), /^No changes/);
  });

  describe('in a browser (Debian chromium through playwright-core)', () => {
    let browser: BrowserContext;
    before(async () => {
      browser = await launchChromium(join(dir, 'chromium-profile'));
    });
    after(async () => {
      await browser?.close();
    });

    test('the frontend shows the tenant organization name', async (t) => {
      const frontendUrl = runs[0]?.outputs['frontendUrl'];
      assert.ok(frontendUrl, 'the pipeline published the frontend URL');
      const page = await browser.newPage();
      await page.goto(frontendUrl);
      assert.equal(await page.locator('h1').textContent(), 'Workload Identity Graph Lookup');
      const result = (await page.locator('#result').textContent()) ?? '';
      assert.ok(
        result.includes(`It looks like your tenant organization name is ${organizationName}.`),
        result,
      );
      const shot = join(screenshots, 'frontend.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
      console.log(`screenshot of the frontend: ${shot}`);
      await page.close();
    });

    test("revoking consent gives the backend's 403; the sign-in log shows the token was issued without roles", async (t) => {
      const outputs = runs[0]?.outputs ?? {};
      const appId = outputs['APPLICATION_CLIENT_ID'] as string;
      const frontendUrl = outputs['frontendUrl'] as string;
      assert.ok(appId && frontendUrl);

      // Revoke the admin consent (the app role assignment of User.Read.All on Graph).
      await credless.cli('login', '-o', 'none');
      const assignments = JSON.parse(
        await credless.cli(
          'rest',
          '--uri',
          `/v1.0/servicePrincipals(appId='${appId}')/appRoleAssignments`,
          '--query',
          `value[?appRoleId=='${USER_READ_ALL}'].{id: id, resourceId: resourceId}`,
        ),
      ) as Array<{ id: string; resourceId: string }>;
      assert.equal(assignments.length, 1, 'the pipeline granted User.Read.All once');
      const revokedAt = new Date();
      for (const { id, resourceId } of assignments)
        await credless.cli(
          'rest',
          '--method',
          'DELETE',
          '--uri',
          `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo/${id}`,
        );

      // The backend caches its Graph token until near expiry: restart its pod. Deleting it and applying
      // the Deployment again (unchanged) brings a new one, which exchanges a fresh token.
      const pods = JSON.parse(
        await credless.cli('cluster', 'get', 'pods', '-n', CLUSTER, '--namespace', NAMESPACE, '-o', 'json'),
      ) as Array<{ name: string }>;
      const backendPod = pods.find((pod) => pod.name.startsWith('workload-identity-backend-'));
      assert.ok(backendPod, JSON.stringify(pods));
      await credless.cli(
        'cluster',
        'delete',
        'pod',
        backendPod.name,
        '-n',
        CLUSTER,
        '--namespace',
        NAMESPACE,
      );
      const applyEnv = {
        ...credless.env,
        NAMESPACE,
        SERVICE_ACCOUNT_NAME: 'workload-identity-sa',
        ACR_NAME: outputs['acrName'],
        IMAGE_TAG: '1',
        GRAPH_BASE_URL: `${credless.url}/v1.0`,
        BACKEND_URL: 'http://workload-identity-backend',
      };
      const applied = await run(
        CREDLESS_BIN,
        ['cluster', 'apply', '-n', CLUSTER, '-f', join(SEED_APP_K8S, 'deployment.yaml')],
        applyEnv,
      );
      assert.equal(applied.status, 0, applied.stderr);

      const page = await browser.newPage();
      let result = '';
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        await page.goto(frontendUrl);
        result = (await page.locator('#result').textContent()) ?? '';
        if (result.includes('HTTP 403')) break;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      assert.match(result, /could not read the organization name \(HTTP 403\)/, result);
      assert.match(result, /Authorization_RequestDenied/);
      assert.match(result, /User\.Read\.All/, 'Graph names the roles it wants');
      assert.ok(!result.includes('organization name is'), result);
      const shot = join(screenshots, 'frontend-consent-revoked.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
      console.log(`screenshot of the frontend after revoking consent: ${shot}`);
      await page.close();

      // The sign-in log explains the 403: the new pod's exchange for Graph succeeded — the token service
      // issued a token, but with no roles (as Entra does when Graph's service principal does not require
      // assignment) — and Graph refused it. No failed exchange: the 403 is an authorization decision.
      type Record = {
        result: string;
        resource: string;
        credentialName: string;
        subject: string;
        roles?: string[];
      };
      let records: Record[] = [];
      let graphExchanges: Record[] = [];
      for (let attempt = 0; attempt < 10 && graphExchanges.length === 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000)); // the log is written in batches
        records = JSON.parse(
          await credless.cli('signins', 'list', '--app', appId, '--since', revokedAt.toISOString()),
        ) as Record[];
        graphExchanges = records.filter((record) => record.resource === 'https://graph.microsoft.com');
      }
      assert.ok(graphExchanges.length >= 1, JSON.stringify(records));
      for (const record of graphExchanges) {
        assert.equal(record.result, 'success');
        assert.equal(record.credentialName, 'kubernetes-federated-credential');
        assert.equal(record.subject, `system:serviceaccount:${NAMESPACE}:workload-identity-sa`);
        assert.deepEqual(record.roles, [], 'the token was issued without User.Read.All');
      }
      assert.deepEqual(
        records.filter((record) => record.result !== 'success'),
        [],
        'no failed exchange after the revocation',
      );
    });
  });
});
