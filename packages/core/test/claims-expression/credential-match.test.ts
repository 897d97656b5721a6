import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FederatedIdentityCredential } from '../../src/directory/types.ts';
import { CredlessError } from '../../src/errors/index.ts';
import { readAssertionIdentity } from '../../src/token/assertion-claims.ts';
import { matchFederatedCredential } from '../../src/token/credential-match.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const EXCHANGE = 'api://AzureADTokenExchange';
const WORKFLOW = 'contoso/shared/.github/workflows/deploy.yml@refs/heads/main';

let nextId = 0;
function credential(
  match: { subject: string } | { expression: string },
  audience = EXCHANGE,
): FederatedIdentityCredential {
  nextId += 1;
  return {
    id: `fic-${nextId}`,
    tenantId: 't',
    applicationId: 'app',
    name: `cred-${nextId}`,
    issuer: GITHUB,
    subject: 'subject' in match ? match.subject : null,
    claimsMatchingExpression: 'expression' in match ? { value: match.expression, languageVersion: 1 } : null,
    audiences: [audience],
    description: null,
    createdDateTime: '2026-01-01T00:00:00Z',
  };
}

const payload = (claims: Record<string, unknown> = {}) => ({
  iss: GITHUB,
  sub: 'repo:contoso/web:ref:refs/heads/main',
  aud: EXCHANGE,
  job_workflow_ref: WORKFLOW,
  ...claims,
});

const match = (claims: Record<string, unknown>, candidates: FederatedIdentityCredential[]) =>
  matchFederatedCredential(readAssertionIdentity(claims), candidates, claims);

const refusedWith = (code: string) => (error: unknown) => {
  assert.ok(error instanceof CredlessError);
  assert.equal(error.code, code, error.message);
  return true;
};

const ORG = "claims['sub'] matches 'repo:contoso/*'";
const GITHUB_EXPRESSION = `${ORG} and claims['job_workflow_ref'] eq '${WORKFLOW}'`;

describe('matchFederatedCredential with claims expressions', () => {
  test('an expression credential matches on claims beyond the subject', () => {
    const wanted = credential({ expression: GITHUB_EXPRESSION });
    assert.equal(match(payload(), [credential({ subject: 'other' }), wanted]), wanted);
  });

  test('an exact subject credential is preferred over an expression that also matches', () => {
    const flexible = credential({ expression: ORG });
    const exact = credential({ subject: 'repo:contoso/web:ref:refs/heads/main' });
    assert.equal(match(payload(), [flexible, exact]), exact);
  });

  test('an exact subject with the wrong audience falls through to a fitting expression', () => {
    const flexible = credential({ expression: ORG });
    const exact = credential({ subject: 'repo:contoso/web:ref:refs/heads/main' }, 'api://other');
    assert.equal(match(payload(), [exact, flexible]), flexible);
  });

  test('no subject and no expression matching: 700213 (subject)', () => {
    assert.throws(
      () =>
        match(payload({ sub: 'repo:fabrikam/web:ref:refs/heads/main' }), [credential({ expression: ORG })]),
      refusedWith('subject_no_match'),
    );
    assert.throws(
      () =>
        match(payload({ job_workflow_ref: 'fabrikam/x.yml@refs/heads/main' }), [
          credential({ expression: GITHUB_EXPRESSION }),
        ]),
      refusedWith('subject_no_match'),
    );
  });

  test('an expression matching but with another audience: 700212 (audience)', () => {
    assert.throws(
      () => match(payload(), [credential({ expression: ORG }, 'api://other')]),
      refusedWith('audience_no_match'),
    );
  });

  test('without the payload, expression credentials match nothing', () => {
    const claims = payload();
    assert.throws(
      () => matchFederatedCredential(readAssertionIdentity(claims), [credential({ expression: ORG })]),
      refusedWith('subject_no_match'),
    );
  });

  test('a stored expression that does not parse matches nothing instead of failing', () => {
    assert.throws(
      () => match(payload(), [credential({ expression: "claims['sub'] like '*'" })]),
      refusedWith('subject_no_match'),
    );
  });
});
