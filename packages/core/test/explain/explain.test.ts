import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FederatedIdentityCredential } from '../../src/directory/types.ts';
import { CredlessError } from '../../src/errors/index.ts';
import {
  compareValues,
  explainToken,
  type FieldDiff,
  MAX_EXPLAINED_CREDENTIALS,
} from '../../src/explain/index.ts';
import { readAssertionIdentity } from '../../src/token/assertion-claims.ts';
import { matchFederatedCredential } from '../../src/token/credential-match.ts';

const AKS = 'https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/';
const GITHUB = 'https://token.actions.githubusercontent.com';
const EXCHANGE = 'api://AzureADTokenExchange';
const SUBJECT = 'system:serviceaccount:default:workload';
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const BASE_URL = 'https://localhost:8443';
const NOW = 1_800_000_000;

let nextId = 0;
function credential(
  fields: {
    issuer?: string;
    subject?: string | null;
    audience?: string;
    name?: string;
    expression?: string;
  } = {},
): FederatedIdentityCredential {
  nextId += 1;
  const expression = fields.expression;
  return {
    id: `fic-${nextId}`,
    tenantId: 't',
    applicationId: 'app',
    name: fields.name ?? `cred-${nextId}`,
    issuer: fields.issuer ?? AKS,
    subject: expression !== undefined ? null : (fields.subject ?? SUBJECT),
    claimsMatchingExpression: expression !== undefined ? { value: expression, languageVersion: 1 } : null,
    audiences: [fields.audience ?? EXCHANGE],
    description: null,
    createdDateTime: '2026-01-01T00:00:00Z',
  };
}

const token = (claims: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: AKS,
  sub: SUBJECT,
  aud: [EXCHANGE],
  iat: NOW - 60,
  exp: NOW + 3600,
  ...claims,
});

const explain = (payload: Record<string, unknown>, credentials: FederatedIdentityCredential[]) =>
  explainToken({
    payload,
    nowSeconds: NOW,
    clockSkewSeconds: 30,
    credentials,
    clientId: CLIENT_ID,
    baseUrl: BASE_URL,
  });

const field = (fields: FieldDiff[], name: FieldDiff['field']) => {
  const found = fields.find((entry) => entry.field === name);
  assert.ok(found, `no ${name} field`);
  return found;
};

describe('compareValues', () => {
  const cases: Array<[string, string, ReturnType<typeof compareValues>]> = [
    ['a', 'a', 'equal'],
    ['System:ServiceAccount:x', 'system:serviceaccount:x', 'case_only'],
    ['https://issuer/', 'https://issuer', 'trailing_slash'],
    ['https://issuer', 'https://ISSUER/', 'trailing_slash'],
    [' repo:x ', 'repo:x', 'whitespace'],
    ['repo:x', 'repo:y', 'different'],
  ];
  for (const [expected, actual, comparison] of cases) {
    test(`'${expected}' vs '${actual}' is ${comparison}`, () => {
      assert.equal(compareValues(expected, actual), comparison);
    });
  }
});

describe('explainToken: one field differs', () => {
  const cases: Array<{
    name: string;
    credential: Parameters<typeof credential>[0];
    claims: Record<string, unknown>;
    field: FieldDiff['field'];
    status: FieldDiff['status'];
    summary: RegExp;
    foundIn?: string;
    /** The fields that fail, when more than the one named (swapped values fail both). */
    failing?: Array<FieldDiff['field']>;
  }> = [
    {
      name: 'subject differing only in case',
      credential: {},
      claims: { sub: 'system:serviceaccount:default:Workload' },
      field: 'subject',
      status: 'case_only',
      summary: /subject differs only in letter case/,
    },
    {
      name: 'issuer with a trailing slash in the credential only',
      credential: {},
      claims: { iss: AKS.slice(0, -1) },
      field: 'issuer',
      status: 'trailing_slash',
      summary: /trailing slash, present in the credential/,
    },
    {
      name: 'issuer with a trailing slash in the token only',
      credential: { issuer: GITHUB },
      claims: { iss: `${GITHUB}/` },
      field: 'issuer',
      status: 'trailing_slash',
      summary: /present in the token/,
    },
    {
      name: 'issuer differing in case',
      credential: { issuer: GITHUB },
      claims: { iss: 'https://token.actions.GitHubUserContent.com' },
      field: 'issuer',
      status: 'case_only',
      summary: /issuer differs only in letter case/,
    },
    {
      name: 'audience is a different value',
      credential: {},
      claims: { aud: 'api://something-else' },
      field: 'audience',
      status: 'different',
      summary: /audience differs .*usual federation audience/,
    },
    {
      name: "credential's audience sits in the token's subject",
      credential: {},
      claims: { sub: EXCHANGE, aud: 'system:serviceaccount:default:workload' },
      field: 'audience',
      status: 'wrong_place',
      foundIn: 'sub',
      summary: /is in the token's 'sub' claim, not in 'aud'/,
      failing: ['subject', 'audience'],
    },
    {
      name: "token audience is the app's client id",
      credential: {},
      claims: { aud: CLIENT_ID.toUpperCase() },
      field: 'audience',
      status: 'wrong_place',
      summary: /audience is the application's client id/,
    },
    {
      name: 'token audience is the credless token endpoint',
      credential: {},
      claims: { aud: `${BASE_URL}/tenant/oauth2/v2.0/token` },
      field: 'audience',
      status: 'wrong_place',
      summary: /audience is this token service/,
    },
    {
      name: 'audience differing by a trailing slash',
      credential: { audience: 'api://AzureADTokenExchange/' },
      claims: {},
      field: 'audience',
      status: 'trailing_slash',
      summary: /audience differs only by a trailing slash/,
    },
    {
      name: "credential's subject sits in another claim",
      credential: {},
      claims: { sub: 'someone-else', 'kubernetes.io/sa': SUBJECT },
      field: 'subject',
      status: 'wrong_place',
      foundIn: 'kubernetes.io/sa',
      summary: /is in the token's 'kubernetes.io\/sa' claim, not in 'sub'/,
    },
  ];
  for (const entry of cases) {
    test(entry.name, () => {
      const result = explain(token(entry.claims), [credential(entry.credential)]);
      assert.equal(result.verdict, 'no_match');
      assert.equal(result.matchedCredential, null);
      assert.equal(result.nearestMisses.length, 1);
      const [miss] = result.nearestMisses;
      assert.ok(miss);
      assert.equal(miss.matches, false);
      const diff = field(miss.fields, entry.field);
      assert.equal(diff.status, entry.status);
      assert.equal(diff.ok, false);
      assert.match(diff.summary, entry.summary);
      if (entry.foundIn) assert.equal(diff.foundIn, entry.foundIn);
      // Only the named field(s) fail.
      assert.deepEqual(
        miss.fields.filter((other) => !other.ok).map((other) => other.field),
        entry.failing ?? [entry.field],
      );
      assert.match(result.summary, /^no credential matches; nearest is/);
    });
  }
});

describe('explainToken: expressions', () => {
  const expression =
    "claims['sub'] matches 'repo:contoso/*' and claims['job_workflow_ref'] eq 'contoso/w.yml@main'";
  const github = (claims: Record<string, unknown>) =>
    token({ iss: GITHUB, sub: 'repo:contoso/web:ref:refs/heads/main', ...claims });

  test('every clause reported, with the failing one named', () => {
    const result = explain(github({ job_workflow_ref: 'contoso/w.yml@dev' }), [
      credential({ issuer: GITHUB, expression }),
    ]);
    const [miss] = result.nearestMisses;
    assert.ok(miss);
    assert.equal(miss.kind, 'expression');
    assert.equal(field(miss.fields, 'subject').status, 'expression');
    const clauses = miss.fields.filter((entry) => entry.field === 'clause');
    assert.deepEqual(
      clauses.map((clause) => [clause.claim, clause.op, clause.status, clause.actual]),
      [
        ['sub', 'matches', 'pass', 'repo:contoso/web:ref:refs/heads/main'],
        ['job_workflow_ref', 'eq', 'fail', 'contoso/w.yml@dev'],
      ],
    );
    assert.match(
      clauses[1]!.summary,
      /claims\['job_workflow_ref'\] eq 'contoso\/w.yml@main': fails, the token has 'contoso\/w.yml@dev'/,
    );
  });

  const clauseCases: Array<[string, Record<string, unknown>, FieldDiff['status'], RegExp]> = [
    ['absent claim', { job_workflow_ref: undefined }, 'absent', /absent from the token/],
    ['claim not a string', { job_workflow_ref: ['contoso/w.yml@main'] }, 'not_string', /not a string/],
  ];
  for (const [name, claims, status, summary] of clauseCases) {
    test(name, () => {
      const payload = github(claims);
      if (claims['job_workflow_ref'] === undefined) delete payload['job_workflow_ref'];
      const [miss] = explain(payload, [credential({ issuer: GITHUB, expression })]).nearestMisses;
      const clause = miss!.fields.filter((entry) => entry.field === 'clause')[1]!;
      assert.equal(clause.status, status);
      assert.equal(clause.actual, null);
      assert.match(clause.summary, summary);
    });
  }

  test('a glob that matches only ignoring case says so', () => {
    const [miss] = explain(github({ sub: 'repo:Contoso/web', job_workflow_ref: 'contoso/w.yml@main' }), [
      credential({ issuer: GITHUB, expression }),
    ]).nearestMisses;
    const clause = miss!.fields.find((entry) => entry.field === 'clause' && entry.claim === 'sub')!;
    assert.equal(clause.status, 'fail');
    assert.equal(clause.comparison, 'case_only');
    assert.match(clause.summary, /would match ignoring letter case/);
  });

  test('a stored expression that no longer parses is reported, and matches nothing', () => {
    const [miss] = explain(github({}), [
      credential({ issuer: GITHUB, expression: "claims['sub'] ~ 'x'" }),
    ]).nearestMisses;
    assert.equal(field(miss!.fields, 'expression').status, 'invalid');
    assert.equal(miss!.matches, false);
  });

  test('a matching expression credential is the match', () => {
    const result = explain(github({ job_workflow_ref: 'contoso/w.yml@main' }), [
      credential({ issuer: GITHUB, expression, name: 'flex' }),
    ]);
    assert.equal(result.verdict, 'match');
    assert.equal(result.matchedCredential?.name, 'flex');
    assert.deepEqual(result.nearestMisses, []);
  });
});

describe('explainToken: time', () => {
  const cases: Array<[string, Record<string, unknown>, string, number | undefined, RegExp]> = [
    ['expired 42 s ago', { exp: NOW - 42 }, 'expired', 42, /expired 42 s ago \(clock skew allowance 30 s\)/],
    ['not yet valid', { nbf: NOW + 120 }, 'not_yet_valid', 120, /not valid for another 120 s/],
    ['issued in the future', { iat: NOW + 90 }, 'not_yet_valid', 90, /'iat' is in the future/],
    ['missing exp', { exp: undefined }, 'missing_exp', undefined, /no 'exp' claim/],
    ['exp not a number', { exp: '1' }, 'invalid_claim', undefined, /'exp' claim is not a number/],
    ['inside the skew', { exp: NOW - 10 }, 'valid', undefined, /inside the clock skew allowance/],
  ];
  for (const [name, claims, status, seconds, summary] of cases) {
    test(name, () => {
      const payload = token(claims);
      if ('exp' in claims && claims['exp'] === undefined) delete payload['exp'];
      const result = explain(payload, [credential({ name: 'right' })]);
      assert.equal(result.time.status, status);
      assert.equal(result.time.seconds, seconds);
      assert.match(result.time.summary, summary);
      // The credential still matches: the verdict depends on time alone.
      assert.equal(result.matchedCredential?.name, 'right');
      assert.equal(result.verdict, status === 'valid' ? 'match' : 'no_match');
      if (status !== 'valid') {
        assert.equal(result.summary, `credential 'right' matches, but ${result.time.summary}`);
      }
    });
  }
});

describe('explainToken: ranking, bounds and consistency with the exchange', () => {
  test('nearest misses are ranked: a case-only subject beats an unrelated one, at most 3 kept', () => {
    const credentials = [
      credential({ name: 'other-issuer', issuer: GITHUB, subject: 'repo:x' }),
      credential({ name: 'unrelated', subject: 'system:serviceaccount:kube-system:dns' }),
      credential({ name: 'case', subject: 'System:ServiceAccount:Default:Workload' }),
      credential({ name: 'sibling', subject: 'system:serviceaccount:default:workload2' }),
      credential({ name: 'wrong-aud', subject: 'zzz', audience: 'api://x' }),
    ];
    const result = explain(token({}), credentials);
    assert.deepEqual(
      result.nearestMisses.map((miss) => miss.name),
      ['case', 'sibling', 'unrelated'],
    );
    assert.ok(result.nearestMisses[0]!.score > result.nearestMisses[1]!.score);
    assert.equal(result.credentialsCompared, 5);
    assert.equal(result.truncated, false);
  });

  test('an app with no credentials says so', () => {
    const result = explain(token({}), []);
    assert.equal(result.verdict, 'no_match');
    assert.match(result.summary, /has no federated identity credentials/);
  });

  test('at most MAX_EXPLAINED_CREDENTIALS are compared and truncation is reported', () => {
    const many = Array.from({ length: MAX_EXPLAINED_CREDENTIALS + 5 }, (_, index) =>
      credential({ subject: `s-${index}` }),
    );
    const result = explain(token({}), many);
    assert.equal(result.credentialsCompared, MAX_EXPLAINED_CREDENTIALS);
    assert.equal(result.truncated, true);
  });

  test('long values are cut in the output', () => {
    const long = `x${'y'.repeat(5000)}`;
    const result = explain(token({ sub: long }), [credential({})]);
    assert.ok(result.token.subject!.length <= 257);
    const subject = field(result.nearestMisses[0]!.fields, 'subject');
    assert.ok(subject.actual!.length <= 257 && subject.actual!.endsWith('…'));
    assert.ok(subject.summary.length < 800);
  });

  test('token problems (missing sub, bad aud) are reported and never match', () => {
    const result = explain({ iss: AKS, aud: [1], exp: NOW + 60 }, [credential({})]);
    assert.equal(result.verdict, 'no_match');
    assert.deepEqual(result.token.problems, [
      "the 'sub' claim is missing or not a non-empty string",
      "the 'aud' claim must be a string or a non-empty array of strings",
    ]);
    assert.equal(field(result.nearestMisses[0]!.fields, 'subject').status, 'absent');
  });

  test('the match agrees with matchFederatedCredential on every case here', () => {
    const credentials = [
      credential({ name: 'a', subject: 'S' }),
      credential({ name: 'b', subject: 's', audience: 'api://other' }),
      credential({ name: 'c', expression: "claims['sub'] matches 's*'" }),
      credential({ name: 'd', issuer: GITHUB, subject: 's' }),
    ];
    const payloads = [
      token({ sub: 'S' }),
      token({ sub: 's' }),
      token({ sub: 's', aud: 'api://other' }),
      token({ sub: 'sx' }),
      token({ sub: 'x' }),
      token({ iss: GITHUB, sub: 's' }),
      token({ iss: 'https://nowhere', sub: 's' }),
    ];
    for (const payload of payloads) {
      let expected: string | null;
      try {
        expected = matchFederatedCredential(readAssertionIdentity(payload), credentials, payload).name;
      } catch (error) {
        assert.ok(error instanceof CredlessError);
        expected = null;
      }
      assert.equal(
        explain(payload, credentials).matchedCredential?.name ?? null,
        expected,
        JSON.stringify(payload),
      );
    }
  });
});
