import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '../../src/errors/index.ts';
import {
  checkSharedIssuerGuard,
  enforceSharedIssuerGuard,
  sharedIssuerRule,
} from '../../src/issuer-policy/shared-issuer-guard.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const TERRAFORM = 'https://app.terraform.io';

const bySubject = (issuer: string, subject: string) => ({ issuer, subject, claimsMatchingExpression: null });
const byExpression = (issuer: string, value: string) => ({
  issuer,
  subject: null,
  claimsMatchingExpression: { value },
});

describe('shared-issuer guard: which issuers it covers', () => {
  const cases: Array<[string, string | undefined]> = [
    [GITHUB, 'GitHub Actions'],
    [`${GITHUB}/`, 'GitHub Actions'],
    ['https://TOKEN.actions.githubusercontent.com', 'GitHub Actions'],
    [GITLAB, 'gitlab.com'],
    ['https://gitlab.com/', 'gitlab.com'],
    [TERRAFORM, 'HCP Terraform'],
    // An enterprise's own issuer, a self-managed GitLab, a cluster: one owner each, not shared.
    [`${GITHUB}/contoso-enterprise`, undefined],
    ['https://gitlab.contoso.com', undefined],
    ['https://oidc.prod-aks.azure.com/tenant/uuid/', undefined],
    ['http://gitlab.com', undefined],
  ];
  for (const [issuer, platform] of cases) {
    test(`${issuer} → ${platform ?? 'not shared'}`, () => {
      assert.equal(sharedIssuerRule(issuer)?.platform, platform);
      if (platform === undefined)
        assert.deepEqual(checkSharedIssuerGuard(bySubject(issuer, '*')), { pinned: true });
    });
  }
});

describe('shared-issuer guard: subjects', () => {
  const cases: Array<[string, string, boolean]> = [
    [GITHUB, 'repo:contoso/web:ref:refs/heads/main', true],
    [GITHUB, 'repo:contoso/web:environment:prod', true],
    [GITHUB, 'repo:contoso@1234/web@5678:pull_request', true],
    [GITHUB, 'repo:*', false],
    [GITHUB, 'repo:*/web:ref:refs/heads/main', false],
    [GITHUB, 'repo:cont?so/web:ref:refs/heads/main', false],
    [GITHUB, 'repo:/web:ref:refs/heads/main', false],
    [GITHUB, 'repo:contoso', false],
    [GITHUB, 'repo:contoso:ref/x', false],
    [GITHUB, 'contoso/web', false],
    [GITHUB, 'Repo:contoso/web:ref:refs/heads/main', false],
    [GITLAB, 'project_path:contoso/web:ref_type:branch:ref:main', true],
    [GITLAB, 'project_path:contoso/sub/web:ref_type:branch:ref:main', true],
    [GITLAB, 'project_path:*/web:ref_type:branch:ref:main', false],
    [GITLAB, 'project_path:contoso', false],
    [GITLAB, 'repo:contoso/web', false],
    [TERRAFORM, 'organization:contoso:project:default:workspace:prod:run_phase:apply', true],
    [TERRAFORM, 'organization:*:project:default:workspace:prod:run_phase:apply', false],
    [TERRAFORM, 'organization::project:default', false],
    [TERRAFORM, 'organization:contoso', false],
    [TERRAFORM, 'project:default:workspace:prod', false],
  ];
  for (const [issuer, subject, pinned] of cases) {
    test(`${sharedIssuerRule(issuer)?.platform}: '${subject}' ${pinned ? 'pins' : 'does not pin'} an owner`, () => {
      assert.equal(checkSharedIssuerGuard(bySubject(issuer, subject)).pinned, pinned);
    });
  }
});

describe('shared-issuer guard: claims expressions', () => {
  const cases: Array<[string, string, boolean]> = [
    [GITHUB, "claims['sub'] matches 'repo:contoso/*'", true],
    [GITHUB, "claims['sub'] eq 'repo:contoso/web:ref:refs/heads/main'", true],
    [GITHUB, "claims['sub'] matches 'repo:*'", false],
    [GITHUB, "claims['sub'] matches 'repo:contoso*'", false],
    [GITHUB, "claims['sub'] matches 'repo:con*so/web'", false],
    [GITHUB, "claims['repository_owner'] eq 'contoso'", true],
    [GITHUB, "claims['repository_owner_id'] eq '1234'", true],
    [GITHUB, "claims['repository_owner'] matches 'conto*'", false],
    [GITHUB, "claims['repository'] matches 'contoso/*'", true],
    [GITHUB, "claims['repository'] eq 'contoso'", false],
    [GITHUB, "claims['repository'] matches '*/web'", false],
    [
      GITHUB,
      "claims['job_workflow_ref'] eq 'contoso/shared/.github/workflows/deploy.yml@refs/heads/main'",
      false,
    ],
    // One pinning clause pins the whole conjunction.
    [GITHUB, "claims['sub'] matches 'repo:*' and claims['repository_owner'] eq 'contoso'", true],
    [GITHUB, "claims['environment'] eq 'prod' and claims['workflow'] eq 'deploy'", false],
    [GITLAB, "claims['namespace_path'] eq 'contoso'", true],
    [GITLAB, "claims['namespace_path'] matches 'contoso/*'", true],
    [GITLAB, "claims['namespace_path'] matches '*'", false],
    [GITLAB, "claims['namespace_id'] eq '42'", true],
    [GITLAB, "claims['project_path'] matches 'contoso/*'", true],
    [GITLAB, "claims['project_path'] matches 'contoso*'", false],
    [GITLAB, "claims['sub'] matches 'project_path:contoso/*'", true],
    [GITLAB, "claims['sub'] matches 'repo:contoso/*'", false],
    [GITLAB, "claims['repository_owner'] eq 'contoso'", false],
    [TERRAFORM, "claims['terraform_organization_name'] eq 'contoso'", true],
    [TERRAFORM, "claims['terraform_organization_id'] eq 'org-abc'", true],
    [TERRAFORM, "claims['terraform_organization_name'] matches '*'", false],
    [TERRAFORM, "claims['sub'] matches 'organization:contoso:*'", true],
    [TERRAFORM, "claims['sub'] matches 'organization:*'", false],
    [TERRAFORM, "claims['terraform_workspace_name'] eq 'prod'", false],
  ];
  for (const [issuer, value, pinned] of cases) {
    test(`${sharedIssuerRule(issuer)?.platform}: ${value} → ${pinned ? 'pinned' : 'refused'}`, () => {
      assert.equal(checkSharedIssuerGuard(byExpression(issuer, value)).pinned, pinned);
    });
  }
});

describe('shared-issuer guard: the refusal explains what to pin', () => {
  for (const [issuer, subject, example] of [
    [GITHUB, 'repo:*', "repo:<owner>/' (e.g. 'repo:contoso/web"],
    [GITLAB, 'project_path:*/x', "project_path:<group>/' (e.g. 'project_path:contoso/web"],
    [TERRAFORM, 'organization:*:x', "organization:<org>:' (e.g. 'organization:contoso:"],
  ] as const) {
    test(issuer, () => {
      assert.throws(
        () => enforceSharedIssuerGuard(bySubject(issuer, subject)),
        (error: unknown) => {
          assert.ok(error instanceof CredlessError);
          assert.equal(error.code, 'fic_shared_issuer_unpinned');
          assert.equal(error.status, 400);
          assert.ok(error.message.includes(issuer), error.message);
          assert.ok(error.message.includes('must pin an owner'), error.message);
          assert.ok(error.message.includes(example), error.message);
          return true;
        },
      );
    });
  }

  test('an expression refusal names the owner claims', () => {
    assert.throws(
      () => enforceSharedIssuerGuard(byExpression(GITHUB, "claims['sub'] matches 'repo:*'")),
      /wildcard in the owner does not count.*claims\['repository_owner'\] eq 'contoso'/,
    );
  });
});
