import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FederatedIdentityCredential } from '../../src/directory/types.ts';
import { CredlessError, ERROR_CATALOGUE } from '../../src/errors/index.ts';
import type { AssertionIdentity } from '../../src/token/assertion-claims.ts';
import { matchFederatedCredential } from '../../src/token/credential-match.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const AKS = 'https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/';
const EXCHANGE = 'api://AzureADTokenExchange';
const MAIN = 'repo:Contoso/web:ref:refs/heads/main';

let nextId = 0;
function credential(fields: {
  issuer?: string;
  subject?: string;
  audience?: string;
  name?: string;
}): FederatedIdentityCredential {
  nextId += 1;
  return {
    id: `fic-${nextId}`,
    tenantId: 't',
    applicationId: 'app',
    name: fields.name ?? `cred-${nextId}`,
    issuer: fields.issuer ?? GITHUB,
    subject: fields.subject ?? MAIN,
    claimsMatchingExpression: null,
    audiences: [fields.audience ?? EXCHANGE],
    description: null,
    createdDateTime: '2026-01-01T00:00:00Z',
  };
}

const identity = (fields: Partial<AssertionIdentity> = {}): AssertionIdentity => ({
  issuer: GITHUB,
  subject: MAIN,
  audiences: [EXCHANGE],
  ...fields,
});

function assertMiss(
  id: AssertionIdentity,
  candidates: FederatedIdentityCredential[],
  code: string,
  params: Record<string, string>,
) {
  assert.throws(
    () => matchFederatedCredential(id, candidates),
    (error: unknown) => {
      assert.ok(error instanceof CredlessError, `expected a CredlessError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.deepEqual(error.params, params);
      return true;
    },
  );
}

describe('matchFederatedCredential: hits', () => {
  test('exact issuer, subject and audience', () => {
    const wanted = credential({});
    assert.equal(matchFederatedCredential(identity(), [wanted]), wanted);
  });

  test('the matching one among several candidates', () => {
    const wanted = credential({ subject: 'repo:Contoso/web:environment:prod' });
    const candidates = [
      credential({ issuer: AKS }),
      credential({ subject: 'repo:Contoso/web:pull_request' }),
      credential({ subject: 'repo:Contoso/web:environment:prod', audience: 'api://other' }),
      wanted,
      credential({ subject: 'repo:Contoso/web:ref:refs/heads/dev' }),
    ];
    assert.equal(
      matchFederatedCredential(identity({ subject: 'repo:Contoso/web:environment:prod' }), candidates),
      wanted,
    );
  });

  test('an aud array containing the audience among others', () => {
    const wanted = credential({ issuer: AKS, subject: 'system:serviceaccount:ns:sa' });
    const id = identity({
      issuer: AKS,
      subject: 'system:serviceaccount:ns:sa',
      audiences: ['https://kubernetes.default.svc', EXCHANGE, 'https://extra'],
    });
    assert.equal(matchFederatedCredential(id, [wanted]), wanted);
  });
});

describe('matchFederatedCredential: misses name the failing field', () => {
  test('no candidates → issuer_no_match', () => {
    assertMiss(identity(), [], 'issuer_no_match', { issuer: GITHUB });
  });

  test('issuer differs → issuer_no_match', () => {
    assertMiss(identity(), [credential({ issuer: AKS })], 'issuer_no_match', { issuer: GITHUB });
  });

  test('issuer differs only by a trailing slash → issuer_no_match (no normalization)', () => {
    assertMiss(identity(), [credential({ issuer: `${GITHUB}/` })], 'issuer_no_match', { issuer: GITHUB });
  });

  test('issuer differs only by case → issuer_no_match', () => {
    assertMiss(identity(), [credential({ issuer: GITHUB.toUpperCase() })], 'issuer_no_match', {
      issuer: GITHUB,
    });
  });

  test('subject differs → subject_no_match (700213)', () => {
    assertMiss(
      identity({ subject: 'repo:Contoso/api:ref:refs/heads/main' }),
      [credential({})],
      'subject_no_match',
      {
        subject: 'repo:Contoso/api:ref:refs/heads/main',
      },
    );
  });

  test('subject differs only by case → subject_case_mismatch (7002138)', () => {
    const lower = MAIN.toLowerCase();
    assertMiss(identity({ subject: lower }), [credential({})], 'subject_case_mismatch', { subject: lower });
    const error = new CredlessError('subject_case_mismatch', { subject: lower });
    assert.match(error.message, /case-sensitive/);
  });

  test('case-only subject mismatch is reported even when other candidates differ more', () => {
    assertMiss(
      identity({ subject: MAIN.toUpperCase() }),
      [credential({ subject: 'repo:x/y:pull_request' }), credential({})],
      'subject_case_mismatch',
      { subject: MAIN.toUpperCase() },
    );
  });

  test("precomposed 'é' does not match decomposed 'é' (no Unicode normalization)", () => {
    const precomposed = 'system:serviceaccount:caf\u00e9:sa';
    const decomposed = 'system:serviceaccount:cafe\u0301:sa';
    assert.equal(precomposed.normalize('NFC'), decomposed.normalize('NFC'));
    assertMiss(
      identity({ subject: decomposed }),
      [credential({ subject: precomposed })],
      'subject_no_match',
      {
        subject: decomposed,
      },
    );
    assertMiss(
      identity({ subject: precomposed }),
      [credential({ subject: decomposed })],
      'subject_no_match',
      {
        subject: precomposed,
      },
    );
  });

  test('a Cyrillic look-alike subject does not match', () => {
    const cyrillic = MAIN.replace('o', '\u043e'); // Cyrillic small o
    assertMiss(identity({ subject: cyrillic }), [credential({})], 'subject_no_match', { subject: cyrillic });
  });

  test('a subject with trailing whitespace does not match', () => {
    assertMiss(identity({ subject: `${MAIN} ` }), [credential({})], 'subject_no_match', {
      subject: `${MAIN} `,
    });
  });

  test('audience differs → audience_no_match (700212) naming every presented audience', () => {
    assertMiss(identity({ audiences: ['api://a', 'api://b'] }), [credential({})], 'audience_no_match', {
      audience: 'api://a, api://b',
    });
  });

  test('audience differs only by case → audience_no_match', () => {
    assertMiss(identity({ audiences: [EXCHANGE.toLowerCase()] }), [credential({})], 'audience_no_match', {
      audience: EXCHANGE.toLowerCase(),
    });
  });

  test('subject is checked before audience', () => {
    // One candidate right on subject (wrong audience), another right on audience (wrong subject).
    assertMiss(
      identity(),
      [credential({ audience: 'api://other' }), credential({ subject: 'repo:x/y:pull_request' })],
      'audience_no_match',
      { audience: EXCHANGE },
    );
  });

  test('the error codes carry Entra numbers', () => {
    const numbers = Object.fromEntries(
      (['issuer_no_match', 'subject_no_match', 'subject_case_mismatch', 'audience_no_match'] as const).map(
        (code) => [code, ERROR_CATALOGUE[code].aadsts],
      ),
    );
    assert.deepEqual(numbers, {
      issuer_no_match: 700211,
      subject_no_match: 700213,
      subject_case_mismatch: 7002138,
      audience_no_match: 700212,
    });
  });
});
