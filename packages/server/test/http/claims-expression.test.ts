import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  addFederatedCredential,
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type Agent, request } from 'undici';

const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const WORKFLOW = 'contoso/shared/.github/workflows/deploy.yml@refs/heads/main';
const EXPRESSION = `claims['sub'] matches 'repo:contoso/*' and claims['job_workflow_ref'] eq '${WORKFLOW}'`;

describe('token exchange over HTTPS with a claims-expression credential', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let client: Agent;
  let scenario: Awaited<ReturnType<typeof createWorkloadScenario>>;

  before(async () => {
    stack = await startTestStack();
    ({ issuer, credless, client } = stack);
    // The scenario's own credential is an exact subject no test presents; the expression does the work.
    scenario = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: 'repo:contoso/pinned:environment:never-used',
      graphRoles: ['Organization.Read.All'],
    });
    // The parameters as `ad app federated-credential create --parameters` would pass them.
    await addFederatedCredential(credless, scenario.appId, {
      name: 'contoso-shared-deploy',
      issuer: issuer.issuer,
      claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
      audiences: [EXCHANGE_AUDIENCE],
    });
  });
  after(() => stack.close());

  const exchange = async (assertion: string) => {
    const { status, body } = await requestToken(
      credless,
      clientCredentialsForm({ clientId: scenario.appId, assertion }),
      { dispatcher: client },
    );
    return { status, body };
  };

  test('a GitHub assertion from the organization running the shared workflow gets a token', async () => {
    const assertion = await issuer.issueToken({
      sub: 'repo:contoso/web:ref:refs/heads/main',
      aud: EXCHANGE_AUDIENCE,
      job_workflow_ref: WORKFLOW,
    });
    const { status, body } = await exchange(assertion);
    assert.equal(status, 200, JSON.stringify(body));
    const keysResponse = await request(`${credless.url}/${credless.tenantId}/discovery/keys`, {
      dispatcher: client,
    });
    const { keys } = (await keysResponse.body.json()) as { keys: Array<Record<string, unknown>> };
    const { payload } = await jwtVerify(
      body['access_token'] as string,
      createLocalJWKSet({ keys: keys as never }),
      { issuer: `${credless.url}/${credless.tenantId}/`, audience: GRAPH_RESOURCE_URI },
    );
    assert.equal(payload['appid'], scenario.appId);
    assert.deepEqual(payload['roles'], ['Organization.Read.All']);
  });

  test('the same workflow run from another organization is refused with AADSTS700213', async () => {
    const assertion = await issuer.issueToken({
      sub: 'repo:fabrikam/web:ref:refs/heads/main',
      aud: EXCHANGE_AUDIENCE,
      job_workflow_ref: WORKFLOW,
    });
    const { status, body } = await exchange(assertion);
    assert.equal(status, 401);
    assert.equal(body['error'], 'invalid_client');
    assert.deepEqual(body['error_codes'], [700213]);
    assert.equal(body['access_token'], undefined);
  });

  test('the organization running another workflow is refused too', async () => {
    const assertion = await issuer.issueToken({
      sub: 'repo:contoso/web:ref:refs/heads/main',
      aud: EXCHANGE_AUDIENCE,
      job_workflow_ref: 'contoso/web/.github/workflows/deploy.yml@refs/heads/main',
    });
    const { status, body } = await exchange(assertion);
    assert.equal(status, 401);
    assert.deepEqual(body['error_codes'], [700213]);
  });

  test('a matching assertion for another audience is refused with AADSTS700212', async () => {
    const assertion = await issuer.issueToken({
      sub: 'repo:contoso/web:ref:refs/heads/main',
      aud: 'api://something-else',
      job_workflow_ref: WORKFLOW,
    });
    const { status, body } = await exchange(assertion);
    assert.equal(status, 401);
    assert.deepEqual(body['error_codes'], [700212]);
  });
});
