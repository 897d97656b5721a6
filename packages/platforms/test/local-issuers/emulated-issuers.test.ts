/**
 * The emulated issuers end to end over HTTPS: a local cluster's AKS-like service-account issuer and the
 * GitHub Actions issuer publish discovery and JWKS (kube-apiserver's kid), sign tokens that the STS
 * exchanges through federated credentials — verified from credless's own records, never by fetching
 * itself — while its own access tokens are still refused (700222).
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { type ClusterRecord, loadKeyEncryptionKey } from '@credless/server';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestCredless,
  type TestCredless,
} from '@credless/testkit';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify, SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { createLocalCluster } from '../../src/local-issuers/clusters.ts';
import { gitHubActionsJob, mintActionsRequestToken } from '../../src/local-issuers/github-actions-job.ts';
import { issueServiceAccountToken } from '../../src/local-issuers/local-issuers.ts';
import { LocalPlatforms } from '../../src/local-platforms.ts';

const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const SA_SUBJECT = 'system:serviceaccount:default:workload-identity-sa';
const REPO_SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main';

let credless: TestCredless;
const platforms = new LocalPlatforms();
let client: Agent;
let kek: Uint8Array;
let cluster: ClusterRecord;

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { dispatcher: client, headers });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: (await response.body.json()) as Record<string, unknown>,
  };
}

/** kube-apiserver's formula, computed independently from the published JWK. */
const kubeKid = (jwk: JWK) =>
  createHash('sha256')
    .update(createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' }))
    .digest('base64url');

const exchange = (clientId: string, assertion: string) =>
  requestToken(credless, clientCredentialsForm({ clientId, assertion }), { dispatcher: client });

async function githubToken(
  audience: string,
  job = gitHubActionsJob({ repository: 'octo-org/octo-repo', ref: 'main' }),
) {
  const requestToken = await mintActionsRequestToken({ kek, job });
  const url = `${credless.url}/github-actions/token?api-version=2.0&audience=${encodeURIComponent(audience)}`;
  return getJson(url, { authorization: `Bearer ${requestToken}` });
}

before(async () => {
  credless = await startTestCredless({ plugins: [platforms] });
  client = new Agent({ connect: { ca: credless.caCertPem as string } });
  kek = await loadKeyEncryptionKey({ dataDir: credless.dataDir });
  ({ cluster } = await createLocalCluster(
    { store: credless.store, kek },
    {
      tenantId: credless.tenantId,
      baseUrl: credless.url,
      resourceGroup: 'rg-dev-aks',
      name: 'dev-aks',
      enableWorkloadIdentity: true,
    },
  ));
});

after(async () => {
  await client?.close();
  await credless?.close();
});

describe('local cluster issuer', () => {
  test('the record: ARM-like id, AKS-like issuer URL under credless with a trailing slash', () => {
    assert.equal(
      cluster.id,
      `/subscriptions/${credless.tenantId}/resourceGroups/rg-dev-aks/providers/Microsoft.ContainerService/managedClusters/dev-aks`,
    );
    assert.match(cluster.issuerUrl, new RegExp(`^${credless.url}/oidc/${credless.tenantId}/[0-9a-f-]{36}/$`));
    // The private key is stored only as a JWE.
    assert.match(cluster.signingKey.encryptedPrivateKey, /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  test('creating it again returns the same cluster (same issuer and key)', async () => {
    const again = await createLocalCluster(
      { store: credless.store, kek },
      { tenantId: credless.tenantId, baseUrl: credless.url, resourceGroup: 'RG-DEV-AKS', name: 'Dev-Aks' },
    );
    assert.equal(again.created, false);
    assert.equal(again.cluster.issuerUrl, cluster.issuerUrl);
    assert.equal(again.cluster.signingKey.kid, cluster.signingKey.kid);
    assert.equal(again.cluster.workloadIdentityEnabled, true);
  });

  test("discovery and JWKS in kube-apiserver's shape; kid = base64url(SHA-256(SPKI DER))", async () => {
    const discovery = await getJson(`${cluster.issuerUrl}.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.deepEqual(discovery.body, {
      issuer: cluster.issuerUrl,
      jwks_uri: `${cluster.issuerUrl}openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await getJson(discovery.body['jwks_uri'] as string);
    assert.equal(jwks.status, 200);
    const keys = jwks.body['keys'] as JWK[];
    assert.equal(keys.length, 1);
    const [key] = keys as [JWK];
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(key.kid, kubeKid(key));
    assert.equal(key.kid, cluster.signingKey.kid);
    assert.equal(Buffer.from(key.n as string, 'base64url').length, 256, 'RSA-2048');
  });

  test('an unknown cluster issuer path is 404', async () => {
    const response = await getJson(
      `${credless.url}/oidc/${credless.tenantId}/${randomUUID()}/openid/v1/jwks`,
    );
    assert.equal(response.status, 404);
  });

  test('a service-account token verifies against the published JWKS and carries the kube claims', async () => {
    const pod = { name: 'app-1', uid: randomUUID() };
    const issued = await platforms.issueServiceAccountToken(cluster.id, {
      namespace: 'default',
      serviceAccount: 'workload-identity-sa',
      audiences: [EXCHANGE_AUDIENCE],
      expirationSeconds: 3600,
      pod,
    });
    const jwks = await getJson(`${cluster.issuerUrl}openid/v1/jwks`);
    const { payload, protectedHeader } = await jwtVerify(
      issued.token,
      createLocalJWKSet(jwks.body as never),
      {
        issuer: cluster.issuerUrl,
        audience: EXCHANGE_AUDIENCE,
      },
    );
    assert.deepEqual(protectedHeader, { alg: 'RS256', kid: cluster.signingKey.kid });
    assert.equal(payload.sub, SA_SUBJECT);
    assert.deepEqual(payload.aud, [EXCHANGE_AUDIENCE]);
    assert.equal(payload.exp, issued.expiresAt);
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);
    const kube = payload['kubernetes.io'] as Record<string, Record<string, string>>;
    assert.equal(kube['namespace'] as unknown, 'default');
    assert.deepEqual(kube['pod'], pod);
    assert.equal(kube['serviceaccount']?.['name'], 'workload-identity-sa');
    assert.match(kube['serviceaccount']?.['uid'] ?? '', /^[0-9a-f-]{36}$/);
  });

  test('outside the server (the local runtime): the same token from the store and the KEK', async () => {
    const issued = await issueServiceAccountToken({ store: credless.store, kek }, cluster.id.toLowerCase(), {
      namespace: 'apps',
      serviceAccount: 'backend',
      audiences: [EXCHANGE_AUDIENCE],
      expirationSeconds: 86_400,
    });
    const jwks = await getJson(`${cluster.issuerUrl}openid/v1/jwks`);
    const { payload } = await jwtVerify(issued.token, createLocalJWKSet(jwks.body as never), {
      issuer: cluster.issuerUrl,
    });
    assert.equal(payload.sub, 'system:serviceaccount:apps:backend');
    assert.equal(issued.expiresAt - issued.issuedAt, 86_400);
  });

  test('an unknown cluster id is not_found; an invalid request is refused', async () => {
    await assert.rejects(
      platforms.issueServiceAccountToken(cluster.id.replace('dev-aks', 'other'), {
        namespace: 'default',
        serviceAccount: 'x',
        audiences: ['a'],
      }),
      { code: 'not_found' },
    );
    await assert.rejects(
      platforms.issueServiceAccountToken(cluster.id, {
        namespace: 'a:b',
        serviceAccount: 'x',
        audiences: ['a'],
      }),
      { code: 'invalid_value' },
    );
  });
});

describe('GitHub Actions issuer', () => {
  test('discovery and JWKS at <base>/github-actions', async () => {
    const issuer = `${credless.url}/github-actions`;
    const discovery = await getJson(`${issuer}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.equal(discovery.body['issuer'], issuer);
    assert.equal(discovery.body['jwks_uri'], `${issuer}/.well-known/jwks`);
    assert.deepEqual(discovery.body['id_token_signing_alg_values_supported'], ['RS256']);
    const jwks = await getJson(`${issuer}/.well-known/jwks`);
    const [key] = jwks.body['keys'] as [JWK];
    assert.equal(key.kid, kubeKid(key));
    assert.equal(key.d, undefined);
  });

  test('the token endpoint answers {"value": jwt} with the reference claims', async () => {
    const { status, body, headers } = await githubToken(EXCHANGE_AUDIENCE);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(headers['cache-control'], 'no-store');
    const jwks = await getJson(`${credless.url}/github-actions/.well-known/jwks`);
    const { payload } = await jwtVerify(body['value'] as string, createLocalJWKSet(jwks.body as never), {
      issuer: `${credless.url}/github-actions`,
      audience: EXCHANGE_AUDIENCE,
    });
    assert.equal(payload.sub, REPO_SUBJECT);
    assert.equal(payload['repository'], 'octo-org/octo-repo');
    assert.equal(payload['ref'], 'refs/heads/main');
    assert.equal(payload['ref_type'], 'branch');
    assert.match(payload['repository_owner_id'] as string, /^[1-9][0-9]{8}$/);
    assert.equal((payload.exp as number) - (payload.iat as number), 300);
  });

  test('the default audience is https://github.com/<owner>; environment and PR subjects', async () => {
    const job = gitHubActionsJob({ repository: 'octo-org/octo-repo', ref: 'main', environment: 'prod' });
    const requestToken = await mintActionsRequestToken({ kek, job });
    const response = await getJson(`${credless.url}/github-actions/token?api-version=2.0`, {
      authorization: `bearer ${requestToken}`,
    });
    const payload = JSON.parse(
      Buffer.from((response.body['value'] as string).split('.')[1] as string, 'base64url').toString(),
    );
    assert.equal(payload.aud, 'https://github.com/octo-org');
    assert.equal(payload.sub, 'repo:octo-org/octo-repo:environment:prod');
    const pr = await githubToken(
      'x',
      gitHubActionsJob({ repository: 'octo-org/octo-repo', ref: 'refs/pull/4/merge', event: 'pull_request' }),
    );
    assert.equal(
      JSON.parse(Buffer.from((pr.body['value'] as string).split('.')[1] as string, 'base64url').toString())
        .sub,
      'repo:octo-org/octo-repo:pull_request',
    );
  });

  test('no, a malformed or a foreign request token is 401 and issues nothing', async () => {
    const url = `${credless.url}/github-actions/token?api-version=2.0&audience=x`;
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'credless-actions-request+jwt' })
      .sign(new Uint8Array(32));
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${foreign}` },
    ];
    for (const headers of attempts) {
      const response = await getJson(url, headers);
      assert.equal(response.status, 401);
      assert.equal(response.body['value'], undefined);
    }
  });
});

describe('the token service and the emulated issuers', () => {
  let clusterApp: { appId: string };
  let githubApp: { appId: string };
  let ownAccessToken: string;

  before(async () => {
    clusterApp = await createWorkloadScenario(credless, {
      displayName: 'cluster-workload',
      issuer: cluster.issuerUrl,
      subject: SA_SUBJECT,
      graphRoles: ['User.Read.All'],
    });
    githubApp = await createWorkloadScenario(credless, {
      displayName: 'pipeline',
      issuer: `${credless.url}/github-actions`,
      subject: REPO_SUBJECT,
      graphRoles: ['User.Read.All'],
    });
  });

  test('a service-account token is exchanged for a Graph token with the consented role', async () => {
    const { token } = await platforms.issueServiceAccountToken(cluster.id, {
      namespace: 'default',
      serviceAccount: 'workload-identity-sa',
      audiences: [EXCHANGE_AUDIENCE],
    });
    const { status, body } = await exchange(clusterApp.appId, token);
    assert.equal(status, 200, JSON.stringify(body));
    ownAccessToken = body['access_token'] as string;
    const payload = JSON.parse(Buffer.from(ownAccessToken.split('.')[1] as string, 'base64url').toString());
    assert.equal(payload.aud, GRAPH_RESOURCE_URI);
    assert.deepEqual(payload.roles, ['User.Read.All']);
  });

  test('a GitHub Actions token is exchanged for a Graph token', async () => {
    const { body: idToken } = await githubToken(EXCHANGE_AUDIENCE);
    const { status, body } = await exchange(githubApp.appId, idToken['value'] as string);
    assert.equal(status, 200, JSON.stringify(body));
  });

  test('another service account of the cluster is refused with 700213', async () => {
    const { token } = await platforms.issueServiceAccountToken(cluster.id, {
      namespace: 'default',
      serviceAccount: 'intruder',
      audiences: [EXCHANGE_AUDIENCE],
    });
    const { status, body } = await exchange(clusterApp.appId, token);
    assert.equal(status, 401);
    assert.deepEqual(body['error_codes'], [700213]);
  });

  test('a token naming the cluster issuer but signed by another key (same kid) is refused: 700027', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ sub: SA_SUBJECT, aud: [EXCHANGE_AUDIENCE] })
      .setProtectedHeader({ alg: 'RS256', kid: cluster.signingKey.kid })
      .setIssuer(cluster.issuerUrl)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const { status, body } = await exchange(clusterApp.appId, forged);
    assert.equal(status, 401);
    assert.deepEqual(body['error_codes'], [700027]);
    assert.equal(body['access_token'], undefined);
  });

  test("credless's own access tokens are still refused (700222), v1 and v2 issuers alike", async () => {
    assert.ok(ownAccessToken);
    const v1 = await exchange(clusterApp.appId, ownAccessToken);
    assert.equal(v1.status, 401);
    assert.deepEqual(v1.body['error_codes'], [700222]);
    // The same claims under the v2 issuer (signature irrelevant: refused before any key lookup).
    const [, payload] = ownAccessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const v2 = `${ownAccessToken.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, iss: `${credless.url}/${credless.tenantId}/v2.0` })).toString('base64url')}.${ownAccessToken.split('.')[2]}`;
    const refused = await exchange(clusterApp.appId, v2);
    assert.deepEqual(refused.body['error_codes'], [700222]);
  });

  test('a request token presented as a client assertion issues nothing', async () => {
    const requestToken = await mintActionsRequestToken({
      kek,
      job: gitHubActionsJob({ repository: 'octo-org/octo-repo', ref: 'main' }),
    });
    assert.equal(decodeProtectedHeader(requestToken).alg, 'HS256');
    const { status, body } = await exchange(githubApp.appId, requestToken);
    assert.equal(status, 401);
    assert.equal(body['access_token'], undefined);
  });

  test('a deleted cluster: its issuer is gone and its tokens stop exchanging', async () => {
    const { cluster: doomed } = await createLocalCluster(
      { store: credless.store, kek },
      { tenantId: credless.tenantId, baseUrl: credless.url, resourceGroup: 'rg-tmp', name: 'tmp' },
    );
    const app = await createWorkloadScenario(credless, {
      displayName: 'tmp-workload',
      issuer: doomed.issuerUrl,
      subject: SA_SUBJECT,
    });
    const { token } = await platforms.issueServiceAccountToken(doomed.id, {
      namespace: 'default',
      serviceAccount: 'workload-identity-sa',
      audiences: [EXCHANGE_AUDIENCE],
    });
    assert.equal((await exchange(app.appId, token)).status, 200);
    await credless.store.deleteCluster(credless.tenantId, 'rg-tmp', 'tmp');
    assert.equal((await getJson(`${doomed.issuerUrl}openid/v1/jwks`)).status, 404);
    const after = await exchange(app.appId, token);
    assert.notEqual(after.status, 200);
    assert.equal(after.body['access_token'], undefined);
  });
});
