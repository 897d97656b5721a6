/** Claims of the emulated issuers: kube service-account tokens, GitHub Actions tokens and subjects, own-issuer detection. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildGitHubActionsClaims,
  buildServiceAccountTokenClaims,
  checkSharedIssuerGuard,
  clusterIssuerUrl,
  type GitHubActionsJob,
  githubActionsIssuerUrl,
  githubActionsSubject,
  isOwnTokenServiceIssuer,
  parseClusterIssuerUrl,
  type ServiceAccountTokenInput,
  sharedIssuerRule,
} from '../../src/index.ts';

const BASE = 'https://localhost:8443';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ISSUER = clusterIssuerUrl(BASE, TENANT, '0b7a6f1c-3c4d-4a4e-9a1e-2f6b8c9d0e1f');

const saInput = (over: Partial<ServiceAccountTokenInput> = {}): ServiceAccountTokenInput => ({
  issuer: ISSUER,
  namespace: 'default',
  serviceAccount: { name: 'workload-identity-sa', uid: '11111111-2222-3333-4444-555555555555' },
  pod: { name: 'app-7d9f', uid: '66666666-7777-8888-9999-000000000000' },
  audiences: ['api://AzureADTokenExchange'],
  issuedAt: 1_700_000_000,
  expirationSeconds: 3600,
  jti: 'jti-1',
  ...over,
});

describe('service-account token claims', () => {
  test('the claim set and order of kube-apiserver', () => {
    assert.deepEqual(buildServiceAccountTokenClaims(saInput()), {
      aud: ['api://AzureADTokenExchange'],
      exp: 1_700_003_600,
      iat: 1_700_000_000,
      iss: ISSUER,
      jti: 'jti-1',
      'kubernetes.io': {
        namespace: 'default',
        pod: { name: 'app-7d9f', uid: '66666666-7777-8888-9999-000000000000' },
        serviceaccount: { name: 'workload-identity-sa', uid: '11111111-2222-3333-4444-555555555555' },
      },
      nbf: 1_700_000_000,
      sub: 'system:serviceaccount:default:workload-identity-sa',
    });
  });

  const cases: Array<[string, Partial<ServiceAccountTokenInput>, RegExp | undefined]> = [
    ['several audiences stay an array', { audiences: ['a', 'b'] }, undefined],
    ['no pod: no pod claim', { pod: undefined }, undefined],
    ['a node is included', { node: { name: 'node-1', uid: 'n-uid' } }, undefined],
    ['an upper-case namespace is refused', { namespace: 'Default' }, /DNS-1123 label/],
    ['a namespace with a colon is refused (it would forge the subject)', { namespace: 'a:b' }, /DNS-1123/],
    ['an empty audience list is refused', { audiences: [] }, /audience/],
    ['under 10 minutes is refused', { expirationSeconds: 599 }, /expirationSeconds/],
    [
      'a service account name with a colon is refused',
      { serviceAccount: { name: 'x:y', uid: 'u' } },
      /subdomain/,
    ],
  ];
  for (const [name, over, error] of cases) {
    test(name, () => {
      const input = saInput(over);
      if (error) return assert.throws(() => buildServiceAccountTokenClaims(input), error);
      const claims = buildServiceAccountTokenClaims(input);
      assert.deepEqual(claims['aud'], input.audiences);
      const kube = claims['kubernetes.io'] as Record<string, unknown>;
      assert.equal('pod' in kube, input.pod !== undefined);
      assert.deepEqual(kube['node'], input.node);
    });
  }
});

const job = (over: Partial<GitHubActionsJob> = {}): GitHubActionsJob => ({
  repository: 'octo-org/octo-repo',
  repositoryId: '123456789',
  repositoryOwnerId: '987654321',
  repositoryVisibility: 'private',
  ref: 'refs/heads/main',
  sha: 'a'.repeat(40),
  eventName: 'push',
  actor: 'octocat',
  actorId: '583231',
  workflow: 'CI',
  workflowRef: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
  workflowSha: 'a'.repeat(40),
  runId: '42',
  runNumber: '7',
  runAttempt: '1',
  runnerEnvironment: 'github-hosted',
  ...over,
});

describe('GitHub Actions subjects (the reference formats)', () => {
  const cases: Array<[string, Partial<GitHubActionsJob>, string, string?]> = [
    ['branch', {}, 'repo:octo-org/octo-repo:ref:refs/heads/main'],
    ['tag', { ref: 'refs/tags/v1.2.0' }, 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.0'],
    ['environment wins over the ref', { environment: 'prod' }, 'repo:octo-org/octo-repo:environment:prod'],
    [
      'environment wins over pull_request',
      { environment: 'prod', eventName: 'pull_request' },
      'repo:octo-org/octo-repo:environment:prod',
    ],
    [
      'pull request',
      { eventName: 'pull_request', ref: 'refs/pull/3/merge' },
      'repo:octo-org/octo-repo:pull_request',
    ],
    ['immutable form', {}, 'repo:octo-org@987654321/octo-repo@123456789:ref:refs/heads/main', 'immutable'],
  ];
  for (const [name, over, subject, format] of cases) {
    test(`${name}: ${subject}`, () => {
      assert.equal(githubActionsSubject(job(over), format as 'immutable' | undefined), subject);
      const claims = buildGitHubActionsClaims({
        issuer: githubActionsIssuerUrl(BASE),
        job: job(over),
        issuedAt: 1000,
        jti: 'j',
        ...(format ? { subjectFormat: 'immutable' as const } : {}),
      });
      assert.equal(claims['sub'], subject);
    });
  }

  test('the full claim set: ids as strings, GitHub times, default audience https://github.com/<owner>', () => {
    const claims = buildGitHubActionsClaims({
      issuer: githubActionsIssuerUrl(BASE),
      job: job({ environment: 'prod' }),
      issuedAt: 10_000,
      jti: 'j-1',
    });
    assert.deepEqual(Object.keys(claims).sort(), [
      'actor',
      'actor_id',
      'aud',
      'base_ref',
      'environment',
      'event_name',
      'exp',
      'head_ref',
      'iat',
      'iss',
      'job_workflow_ref',
      'job_workflow_sha',
      'jti',
      'nbf',
      'ref',
      'ref_type',
      'repository',
      'repository_id',
      'repository_owner',
      'repository_owner_id',
      'repository_visibility',
      'run_attempt',
      'run_id',
      'run_number',
      'runner_environment',
      'sha',
      'sub',
      'workflow',
      'workflow_ref',
      'workflow_sha',
    ]);
    assert.equal(claims['aud'], 'https://github.com/octo-org');
    assert.equal(claims['iss'], `${BASE}/github-actions`);
    assert.equal(claims['repository_owner'], 'octo-org');
    assert.equal(claims['ref_type'], 'branch');
    assert.equal(claims['exp'], 10_300);
    assert.equal(claims['nbf'], 9_400);
    assert.equal(claims['job_workflow_ref'], claims['workflow_ref']);
    for (const key of [
      'repository_id',
      'repository_owner_id',
      'actor_id',
      'run_id',
      'run_number',
      'run_attempt',
    ])
      assert.equal(typeof claims[key], 'string', key);
  });

  const invalid: Array<[string, Partial<GitHubActionsJob>]> = [
    ['a repository without owner', { repository: 'octo-repo' }],
    ['a short ref', { ref: 'main' }],
    ['a non-decimal id', { runId: '12a' }],
    ['a colon in the owner (subject forgery)', { repository: 'a:b/c' }],
  ];
  for (const [name, over] of invalid) {
    test(`refused: ${name}`, () =>
      assert.throws(
        () => buildGitHubActionsClaims({ issuer: 'x', job: job(over), issuedAt: 0, jti: 'j' }),
        /invalid GitHub Actions job/,
      ));
  }
});

describe('issuer URLs', () => {
  const own: Array<[string, boolean]> = [
    [`${BASE}/${TENANT}/v2.0`, true],
    [`${BASE}/${TENANT}/`, true],
    [`${BASE}/contoso.example/`, true],
    [ISSUER, false],
    [`${BASE}/github-actions`, false],
    ['https://sts.windows.net/x/', false],
    [`${BASE}:9/${TENANT}/`, false],
  ];
  for (const [issuer, expected] of own) {
    test(`${issuer} is ${expected ? '' : 'not '}the token service's own issuer`, () =>
      assert.equal(isOwnTokenServiceIssuer(BASE, issuer), expected));
  }

  test('cluster issuer URLs: AKS-like with a trailing slash, parsed back', () => {
    assert.match(ISSUER, /^https:\/\/localhost:8443\/oidc\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
    assert.deepEqual(parseClusterIssuerUrl(ISSUER), {
      tenantId: TENANT,
      issuerGuid: '0b7a6f1c-3c4d-4a4e-9a1e-2f6b8c9d0e1f',
    });
    assert.equal(parseClusterIssuerUrl(ISSUER.slice(0, -1)), undefined);
    assert.equal(parseClusterIssuerUrl(`${ISSUER}x/`), undefined);
    assert.equal(parseClusterIssuerUrl(`${ISSUER}?a=b`), undefined);
  });

  test('the shared-issuer guard covers the emulated GitHub issuer like the real one', () => {
    const issuer = githubActionsIssuerUrl(BASE);
    assert.match(sharedIssuerRule(issuer)?.platform ?? '', /GitHub Actions/);
    const verdict = (subject: string) =>
      checkSharedIssuerGuard({ issuer, subject, claimsMatchingExpression: null }).pinned;
    assert.equal(verdict('repo:*'), false);
    assert.equal(verdict('repo:octo-org/octo-repo:ref:refs/heads/main'), true);
    assert.equal(sharedIssuerRule(ISSUER), undefined);
  });
});
