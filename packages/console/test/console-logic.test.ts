/**
 * The console's pure parts: GitHub and Kubernetes subjects (both ways), the credential form's Graph
 * body per scenario, which field an API error names (from the catalogue's real messages), the
 * claims-matching expression's check as typed (the server's parser), the sign-in page's reason from
 * GET /console/api/session's 401 (the catalogue's messages), and the sign-in filters as Graph's $filter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { ApiError, signedOutReason } from '../src/api/client.ts';
import { fieldOfError } from '../src/api/field-errors.ts';
import {
  GITHUB_ISSUER,
  gitHubSubject,
  kubernetesSubject,
  parseGitHubSubject,
  parseKubernetesSubject,
} from '../src/api/github-subject.ts';
import { credentialBody, emptyCredentialForm, formOf } from '../src/pages/applications/credential-form.ts';
import { caretLines, expressionProblem } from '../src/pages/applications/expression-check.ts';
import { keepSignIn, signInsPath } from '../src/pages/sign-in-query.ts';

describe('GitHub Actions subjects', () => {
  const repo = { organization: 'contoso', repository: 'web' };
  const cases = [
    [{ ...repo, entity: 'environment', value: 'production' }, 'repo:contoso/web:environment:production'],
    [{ ...repo, entity: 'branch', value: 'main' }, 'repo:contoso/web:ref:refs/heads/main'],
    [{ ...repo, entity: 'tag', value: 'v1.2' }, 'repo:contoso/web:ref:refs/tags/v1.2'],
    [{ ...repo, entity: 'pull_request', value: '' }, 'repo:contoso/web:pull_request'],
  ] as const;
  for (const [scenario, subject] of cases) {
    test(`${scenario.entity} → ${subject} and back`, () => {
      assert.equal(gitHubSubject(scenario), subject);
      assert.deepEqual(parseGitHubSubject(subject), scenario);
    });
  }
  test('a subject the picker does not make is not parsed', () => {
    assert.equal(parseGitHubSubject('repo:contoso/web:job_workflow_ref:x'), undefined);
    assert.equal(parseGitHubSubject('system:serviceaccount:a:b'), undefined);
  });
});

test('Kubernetes service account subjects, both ways', () => {
  assert.equal(kubernetesSubject('apps', 'api'), 'system:serviceaccount:apps:api');
  assert.deepEqual(parseKubernetesSubject('system:serviceaccount:apps:api'), {
    namespace: 'apps',
    serviceAccount: 'api',
  });
  assert.equal(parseKubernetesSubject('repo:a/b:pull_request'), undefined);
});

describe('the credential form', () => {
  test('GitHub: the subject from the picker, the default audience', () => {
    const form = {
      ...emptyCredentialForm('github'),
      name: 'deploy',
      organization: 'contoso',
      repository: 'web',
      entityValue: 'prod',
    };
    assert.deepEqual(credentialBody(form), {
      name: 'deploy',
      issuer: GITHUB_ISSUER,
      audiences: ['api://AzureADTokenExchange'],
      description: null,
      subject: 'repo:contoso/web:environment:prod',
      claimsMatchingExpression: null,
    });
  });
  test('other issuer with a claims-matching expression: no subject', () => {
    const form = {
      ...emptyCredentialForm('other'),
      name: 'flex',
      issuer: 'https://issuer.example',
      matchBy: 'expression' as const,
      expression: "claims['sub'] matches 'repo:contoso/*'",
    };
    const body = credentialBody(form);
    assert.equal(body.subject, null);
    assert.deepEqual(body.claimsMatchingExpression, { value: form.expression, languageVersion: 1 });
  });
  test('editing opens in the scenario the subject comes from', () => {
    const base = { id: '1', name: 'n', issuer: 'https://i', audiences: ['a'], description: null };
    const github = formOf({
      ...base,
      subject: 'repo:contoso/web:ref:refs/tags/v1',
      claimsMatchingExpression: null,
    });
    assert.equal(github.scenario, 'github');
    assert.equal(github.entity, 'tag');
    assert.equal(github.entityValue, 'v1');
    const kubernetes = formOf({
      ...base,
      subject: 'system:serviceaccount:ns:sa',
      claimsMatchingExpression: null,
    });
    assert.equal(kubernetes.scenario, 'kubernetes');
    assert.equal(kubernetes.issuer, 'https://i');
    const expression = formOf({
      ...base,
      subject: null,
      claimsMatchingExpression: { value: 'x', languageVersion: 1 },
    });
    assert.equal(expression.scenario, 'other');
    assert.equal(expression.matchBy, 'expression');
  });
});

test('the field an API error names, from the catalogue messages', () => {
  const cases: Array<[string, string | undefined]> = [
    ["Invalid value for 'displayName': must be a non-empty string", 'displayName'],
    ["Invalid value for 'claimsMatchingExpression': unexpected token at 12", 'claimsMatchingExpression'],
    ["Invalid value for 'api.requestedAccessTokenVersion': must be 1 or 2", 'api'],
    ['FederatedIdentityCredential with name deploy already exists.', 'name'],
    [
      "FederatedIdentityCredential with issuer 'https://i' and subject 'repo:a/b:pull_request' already exists on this application (as 'x').",
      'subject',
    ],
    ["Property 'foo' does not exist on type 'microsoft.graph.federatedIdentityCredential'.", 'foo'],
    ["'token' must be a non-empty string (a JWT)", 'token'],
    [
      'Insufficient privileges to complete the operation: one of the application roles X is required.',
      undefined,
    ],
  ];
  for (const [message, field] of cases) assert.equal(fieldOfError(message), field, message);
});

describe('the claims-matching expression, checked as typed', () => {
  test('an expression the server accepts has no problem', () => {
    assert.equal(
      expressionProblem("claims['sub'] matches 'repo:contoso/*' and claims['aud'] eq 'x'"),
      undefined,
    );
    assert.equal(expressionProblem("CLAIMS [ 'sub' ]  EQ 'it''s'"), undefined);
  });
  const cases: Array<[string, string, number]> = [
    ["claims['sub'] equals 'x'", "expected 'matches' or 'eq'", 15],
    ["claims['sub'] eq 'x", 'unterminated string', 18],
    ["claims['sub'] eq 'x' or claims['aud'] eq 'y'", "expected 'and' or the end of the expression", 22],
    ["claims['a b'] eq 'x'", 'expected a claim name of letters', 8],
    ['', 'expected a clause', 1],
  ];
  for (const [text, reason, position] of cases) {
    test(`${JSON.stringify(text)}: ${reason} at ${position}`, () => {
      const problem = expressionProblem(text);
      assert.ok(problem, 'a problem is reported');
      assert.ok(problem.message.startsWith(reason), problem.message);
      assert.ok(problem.message.endsWith(` at position ${position}`), problem.message);
      assert.equal(problem.position, position);
    });
  }
  test('the caret sits under the column, with long text cut around it', () => {
    assert.deepEqual(caretLines("claims['sub'] equals 'x'", 15), {
      line: "claims['sub'] equals 'x'",
      caret: `${' '.repeat(14)}^`,
    });
    assert.deepEqual(caretLines('ab', 3), { line: 'ab', caret: '  ^' }, 'just past the end');
    const long = `${'a'.repeat(100)}X${'b'.repeat(100)}`;
    const { line, caret } = caretLines(long, 101);
    assert.equal(line.length, 1 + 40 + 40 + 1, 'an ellipsis on each side');
    assert.equal(line[caret.length - 1], 'X', 'the caret is under the named column');
    assert.equal(caretLines('a\tb', 3).line, 'a b', 'a tab is one column');
  });
});

test("the sign-in page's reason, from the catalogue's two no_session messages", () => {
  const answer = (code: 'console_no_session' | 'console_not_signed_in') =>
    new ApiError(401, 'no_session', new CredlessError(code).message);
  assert.equal(signedOutReason(answer('console_no_session')), 'ended', 'a stale cookie: the session ended');
  assert.equal(signedOutReason(answer('console_not_signed_in')), 'none', 'no cookie: never signed in');
});

describe('sign-in filters', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  test("as Graph's $filter: application, failures, time range", () => {
    const path = signInsPath({ appId: "o'k", result: 'failure', hours: 1, errorCode: '' }, now);
    const filter = new URL(path, 'https://x').searchParams.get('$filter');
    assert.equal(
      filter,
      "appId eq 'o''k' and status/errorCode ne 0 and createdDateTime ge 2026-12-03T11:00:00.000Z",
    );
  });
  test('no filter at all: only $top', () => {
    assert.equal(
      signInsPath({ appId: '', result: 'all', hours: 0, errorCode: '' }, now),
      '/v1.0/auditLogs/signIns?%24top=200',
    );
  });
  test('successes and error codes are filtered on the page', () => {
    const failure = { result: 'failure', errorCode: 'fic_no_match', status: { errorCode: 700213 } };
    const success = { result: 'success', errorCode: null, status: { errorCode: 0 } };
    const filters = { appId: '', result: 'success' as const, hours: 0, errorCode: '' };
    assert.equal(keepSignIn(filters, failure), false);
    assert.equal(keepSignIn(filters, success), true);
    assert.equal(keepSignIn({ ...filters, result: 'all', errorCode: '700213' }, failure), true);
    assert.equal(keepSignIn({ ...filters, result: 'all', errorCode: 'no_match' }, failure), true);
    assert.equal(keepSignIn({ ...filters, result: 'all', errorCode: '9999' }, failure), false);
  });
});
