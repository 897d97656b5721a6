/**
 * The seed's directory steps, its `az` lines with `az` replaced by `credless`, through the real binary
 * against a real credless: a pipeline identity logs in with a federated token alone, creates the admin
 * group, the workload's app and service principal, its federated credential (az rest, as written) and
 * consents User.Read.All — after which the workload's token carries the role.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GRAPH_APP_ID, GRAPH_APP_ROLES } from '@credless/core';
import {
  graphAddPermission,
  graphCreateFederatedCredential,
  graphGrantPermissions,
} from '../../src/commands/az/graph-credentials.ts';
import { graphCreateApplication, graphCreateServicePrincipal } from '../../src/commands/az/graph-objects.ts';
import { type AzFixture, claimsOf, startAzFixture } from './az-fixture.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';
const roleId = (value: string) => GRAPH_APP_ROLES.find((role) => role.value === value)?.id as string;
const PIPELINE_SUBJECT = 'repo:contoso/credless-in-azure-samples:environment:dev';
const WORKLOAD_SUBJECT = 'system:serviceaccount:azure-workload-identity-system:workload-identity-sa';

describe('the seed pipeline, az → credless', () => {
  let f: AzFixture;
  let pipelineConfig: string;
  const appName = 'credless-aks';
  const state: { groupId?: string; appId?: string; objectId?: string } = {};

  before(async () => {
    f = await startAzFixture();
    pipelineConfig = join(f.dir, 'pipeline-config');
    // The GitHub Actions identity: an app the administrator set up once, with a federated credential
    // and the Graph roles to manage the directory (azure/login's AZURE_CLIENT_ID).
    const pipeline = await graphCreateApplication(f.api, { displayName: 'github-pipeline' });
    const appId = String(pipeline['appId']);
    await graphCreateFederatedCredential(f.api, appId, {
      name: 'main',
      issuer: f.issuer.issuer,
      subject: PIPELINE_SUBJECT,
    });
    await graphCreateServicePrincipal(f.api, appId);
    await graphAddPermission(f.api, {
      id: appId,
      api: GRAPH_APP_ID,
      apiPermissions: [
        'Application.ReadWrite.All',
        'AppRoleAssignment.ReadWrite.All',
        'Group.ReadWrite.All',
      ].map((value) => `${roleId(value)}=Role`),
    });
    await graphGrantPermissions(f.api, { id: appId });
    state.appId = appId;
  });
  after(async () => f.close());

  test('az login --service-principal -u … --tenant … --federated-token … → credless login', async () => {
    const tokenFile = await f.file('federated-token', await f.federatedToken(PIPELINE_SUBJECT));
    const run = await f.run(
      [
        'login',
        '--service-principal',
        '-u',
        String(state.appId),
        '--tenant',
        f.credless.tenantId,
        '--federated-token',
        `@${tokenFile}`,
        '--authority',
        f.credless.url,
        '--ca-file',
        f.credless.caPath as string,
      ],
      { configDir: pipelineConfig },
    );
    assert.equal(run.code, 0, run.stderr);
    const account = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(account['tenantId'], f.credless.tenantId);
    assert.deepEqual(account['user'], { name: state.appId, type: 'servicePrincipal' });
    assert.ok(!run.stdout.includes('eyJ'), 'login prints no token');
    const shown = await f.run(['account', 'show', '--query', 'user.name', '-o', 'tsv'], {
      configDir: pipelineConfig,
    });
    assert.equal(shown.stdout, `${state.appId}\n`);
  });

  test('az ad group create --display-name $appName --mail-nickname $appName --query objectId', async () => {
    const run = await f.run(
      ['ad', 'group', 'create', '--display-name', appName, '--mail-nickname', appName, '--query', 'objectId'],
      { configDir: pipelineConfig },
    );
    assert.equal(run.code, 0, run.stderr);
    const id = JSON.parse(run.stdout) as string;
    assert.match(id, GUID);
    const group = await f.api.call('GET', `/groups/${id}`);
    assert.equal(group['displayName'], appName);
    assert.equal(group['securityEnabled'], true);
  });

  test('az ad sp create-for-rbac --name sp-$appName --query appId -o tsv; az ad app show --id $appId --query objectId -o tsv', async () => {
    const created = await f.run(
      ['ad', 'sp', 'create-for-rbac', '--name', `sp-${appName}`, '--query', 'appId', '-o', 'tsv'],
      {
        configDir: pipelineConfig,
      },
    );
    assert.equal(created.code, 0, created.stderr);
    const appId = created.stdout.trim();
    assert.match(appId, GUID);
    const again = await f.run(['ad', 'sp', 'create-for-rbac', '--name', `sp-${appName}`], {
      configDir: pipelineConfig,
    });
    const result = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.deepEqual(
      result,
      { appId, displayName: `sp-${appName}`, tenant: f.credless.tenantId },
      'reused, never a password',
    );

    const shown = await f.run(['ad', 'app', 'show', '--id', appId, '--query', 'objectId', '-o', 'tsv'], {
      configDir: pipelineConfig,
    });
    assert.equal(shown.code, 0, shown.stderr);
    state.objectId = shown.stdout.trim();
    assert.match(state.objectId, GUID);
    assert.notEqual(state.objectId, appId);
    state.appId = appId;
    const principal = await f.api.call('GET', `/servicePrincipals(appId='${appId}')`);
    assert.equal(principal['appId'], appId);
  });

  test('az rest --method POST --uri "$APPLICATION_OBJECT_ID/federatedIdentityCredentials" --body @federated-credential.json', async () => {
    const body = await f.file('federated-credential.json', {
      name: 'kubernetes-federated-credential',
      issuer: f.issuer.issuer,
      subject: WORKLOAD_SUBJECT,
      description: 'Kubernetes service account federated credential',
      audiences: ['api://AzureADTokenExchange'],
    });
    const args = [
      'rest',
      '--method',
      'POST',
      '--uri',
      `${state.objectId}/federatedIdentityCredentials`,
      '--body',
      `@${body}`,
    ];
    const first = await f.run(args, { configDir: pipelineConfig });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      (JSON.parse(first.stdout) as Record<string, unknown>)['name'],
      'kubernetes-federated-credential',
    );
    // The seed's second run fails here (hence its continue-on-error): Graph's 409, exit 4.
    const second = await f.run(args, { configDir: pipelineConfig });
    assert.equal(second.code, 4);
    assert.match(
      second.stderr,
      /FederatedIdentityCredential with name kubernetes-federated-credential already exists.*Request_MultipleObjectsWithSameKeyValue/,
    );
    // The idempotent way: the same content again succeeds.
    const idempotent = await f.run(
      [
        'ad',
        'app',
        'federated-credential',
        'create',
        '--id',
        String(state.appId),
        '--parameters',
        `@${body}`,
        '--query',
        'name',
        '-o',
        'tsv',
      ],
      { configDir: pipelineConfig },
    );
    assert.equal(idempotent.code, 0, idempotent.stderr);
    assert.equal(idempotent.stdout, 'kubernetes-federated-credential\n');
  });

  test('az rest with a full https://graph.microsoft.com/v1.0/… URI reaches credless', async () => {
    const run = await f.run(
      [
        'rest',
        '--method',
        'get',
        '--uri',
        `https://graph.microsoft.com/v1.0/applications/${state.objectId}/federatedIdentityCredentials`,
        '--query',
        'value[].name',
        '-o',
        'tsv',
      ],
      { configDir: pipelineConfig },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'kubernetes-federated-credential\n');
  });

  test('before consent the workload token has no roles', async () => {
    const answer = await f.exchange(String(state.appId), WORKLOAD_SUBJECT);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(claimsOf(String(answer.body['access_token']))['roles'], undefined);
  });

  test('az ad app permission add … --api-permissions df021288-…=Role; az ad app permission grant --id … --api … → the token has User.Read.All', async () => {
    const add = await f.run(
      [
        'ad',
        'app',
        'permission',
        'add',
        '--id',
        String(state.appId),
        '--api',
        GRAPH_APP_ID,
        '--api-permissions',
        `${USER_READ_ALL}=Role`,
      ],
      { configDir: pipelineConfig },
    );
    assert.equal(add.code, 0, add.stderr);
    const grant = await f.run(
      ['ad', 'app', 'permission', 'grant', '--id', String(state.appId), '--api', GRAPH_APP_ID, '-o', 'table'],
      { configDir: pipelineConfig },
    );
    assert.equal(grant.code, 0, grant.stderr);
    assert.match(grant.stdout, /^Id\s+ObjectId\s+.*AppRoleId/);
    assert.match(grant.stdout, new RegExp(USER_READ_ALL));

    const answer = await f.exchange(String(state.appId), WORKLOAD_SUBJECT);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(claimsOf(String(answer.body['access_token']))['roles'], ['User.Read.All']);
    // And with it the workload reads the organization, as the seed's backend does.
    const organization = await fetchJson(f, '/organization', String(answer.body['access_token']));
    assert.equal(organization.status, 200);
  });

  test('admin-consent again grants nothing new; logout forgets the session', async () => {
    const consent = await f.run(
      ['ad', 'app', 'permission', 'admin-consent', '--id', String(state.appId), '--query', 'length(@)'],
      {
        configDir: pipelineConfig,
      },
    );
    assert.equal(consent.code, 0, consent.stderr);
    assert.equal(consent.stdout.trim(), '1');
    const out = await f.run(['logout'], { configDir: pipelineConfig });
    assert.equal(out.code, 0, out.stderr);
    const rest = await f.run(['rest', '--uri', '/organization'], { configDir: pipelineConfig });
    assert.equal(rest.code, 1);
    assert.match(rest.stderr, /not logged in: run credless login/);
  });
});

async function fetchJson(f: AzFixture, path: string, token: string) {
  const { request } = await import('undici');
  const response = await request(`${f.credless.url}/v1.0${path}`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher: f.agent,
  });
  return { status: response.statusCode, body: await response.body.json() };
}
