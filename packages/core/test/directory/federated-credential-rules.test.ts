import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FIC_FIELD_MAX_LENGTH,
  normalizeFederatedIdentityCredential,
  validateFicName,
  validateIssuerUrl,
} from '../../src/directory/federated-credential-rules.ts';
import { DEFAULT_FEDERATION_AUDIENCE } from '../../src/directory/well-known.ts';
import { CredlessError } from '../../src/errors/index.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'repo:contoso/web:ref:refs/heads/main';
const valid = { name: 'github-main', issuer: ISSUER, subject: SUBJECT };
/** An https URL of exactly `length` characters. */
const issuerOfLength = (length: number) => {
  const prefix = 'https://issuer.example/';
  return prefix + 'p'.repeat(length - prefix.length);
};

function assertInvalid(fn: () => unknown, field: string, reasonPart?: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected a CredlessError, got ${String(error)}`);
    assert.equal(error.code, 'invalid_value', error.message);
    assert.equal(error.params['field'], field, error.message);
    if (reasonPart) assert.match(String(error.params['reason']), reasonPart);
    return true;
  });
}

describe('validateFicName', () => {
  const accepted = ['abc', 'a'.repeat(120), 'github-main', 'k8s_prod-01', '0abc', 'ABC'];
  for (const name of accepted) {
    test(`'${name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name}' is accepted`, () =>
      validateFicName(name));
  }
  const refused: Array<[string, string]> = [
    ['2 characters', 'ab'],
    ['121 characters', 'a'.repeat(121)],
    ['empty', ''],
    ["leading '-'", '-abc'],
    ["leading '_'", '_abc'],
    ['a space', 'my cred'],
    ['a trailing space', 'abc '],
    ['a dot', 'abc.def'],
    ['a slash', 'abc/def'],
    ['non-ASCII letters', 'café-cred'],
    ['a newline', 'abc\ndef'],
    ['a trailing newline', 'abc\n'],
  ];
  for (const [what, name] of refused) {
    test(`${what} is refused`, () => assertInvalid(() => validateFicName(name), 'name', /3-120 characters/));
  }
});

describe('validateIssuerUrl', () => {
  const accepted = [
    ISSUER,
    'https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/',
    'https://localhost:9443/realms/x',
    issuerOfLength(600),
  ];
  for (const issuer of accepted) {
    test(`'${issuer.slice(0, 60)}' (${issuer.length}) is accepted`, () => validateIssuerUrl(issuer));
  }
  const refused: Array<[string, string, RegExp]> = [
    ['http', 'http://token.actions.githubusercontent.com', /must use https/],
    ['no scheme', 'token.actions.githubusercontent.com', /not a valid URL/],
    ['not a URL', 'not a url', /not a valid URL/],
    ['another scheme', 'ftp://issuer.example', /must use https/],
    ['a query', `${ISSUER}?tenant=x`, /query or fragment/],
    ['a fragment', `${ISSUER}#x`, /query or fragment/],
    ['credentials', 'https://user:pass@issuer.example', /credentials/],
    ['a user name only', 'https://user@issuer.example', /credentials/],
    ['empty', '', /must not be empty/],
    ['601 characters', issuerOfLength(601), /at most 600/],
  ];
  for (const [what, issuer, reason] of refused) {
    test(`${what} is refused`, () => assertInvalid(() => validateIssuerUrl(issuer), 'issuer', reason));
  }
});

describe('normalizeFederatedIdentityCredential', () => {
  test('audiences default to api://AzureADTokenExchange and description to null', () => {
    assert.deepEqual(normalizeFederatedIdentityCredential(valid), {
      ...valid,
      claimsMatchingExpression: null,
      audiences: [DEFAULT_FEDERATION_AUDIENCE],
      description: null,
    });
    assert.equal(DEFAULT_FEDERATION_AUDIENCE, 'api://AzureADTokenExchange');
  });

  test('values are kept exactly as given (case, whitespace inside the subject)', () => {
    const input = {
      ...valid,
      subject: 'Repo:Contoso/Web:ref:refs/heads/Main',
      audiences: ['API://Custom'],
      description: 'd',
    };
    assert.deepEqual(normalizeFederatedIdentityCredential(input), {
      ...input,
      claimsMatchingExpression: null,
      audiences: ['API://Custom'],
    });
  });

  test('subject of 600 characters and description of 600 are accepted', () => {
    const result = normalizeFederatedIdentityCredential({
      ...valid,
      subject: 's'.repeat(600),
      description: 'd'.repeat(600),
    });
    assert.equal(result.subject?.length, FIC_FIELD_MAX_LENGTH);
    assert.equal(result.description?.length, FIC_FIELD_MAX_LENGTH);
  });

  test('audience of 600 characters is accepted', () => {
    assert.equal(
      normalizeFederatedIdentityCredential({ ...valid, audiences: ['a'.repeat(600)] }).audiences[0].length,
      600,
    );
  });

  test('null description is kept as null', () => {
    assert.equal(normalizeFederatedIdentityCredential({ ...valid, description: null }).description, null);
  });

  const refused: Array<{ what: string; input: Record<string, unknown>; field: string; reason: RegExp }> = [
    {
      what: 'name missing',
      input: { issuer: ISSUER, subject: SUBJECT },
      field: 'name',
      reason: /is required/,
    },
    { what: 'name a number', input: { ...valid, name: 123 }, field: 'name', reason: /must be a string/ },
    { what: 'name of 2 characters', input: { ...valid, name: 'ab' }, field: 'name', reason: /3-120/ },
    {
      what: 'issuer missing',
      input: { name: 'abc', subject: SUBJECT },
      field: 'issuer',
      reason: /is required/,
    },
    {
      what: 'issuer http',
      input: { ...valid, issuer: 'http://x.example' },
      field: 'issuer',
      reason: /https/,
    },
    {
      what: 'issuer 601 characters',
      input: { ...valid, issuer: issuerOfLength(601) },
      field: 'issuer',
      reason: /at most 600/,
    },
    {
      what: 'subject missing',
      input: { name: 'abc', issuer: ISSUER },
      field: 'subject',
      reason: /is required/,
    },
    {
      what: 'subject empty',
      input: { ...valid, subject: '' },
      field: 'subject',
      reason: /must not be empty/,
    },
    {
      what: 'subject 601 characters',
      input: { ...valid, subject: 's'.repeat(601) },
      field: 'subject',
      reason: /at most 600/,
    },
    {
      what: 'subject an array',
      input: { ...valid, subject: [SUBJECT] },
      field: 'subject',
      reason: /must be a string/,
    },
    {
      what: 'two audiences',
      input: { ...valid, audiences: ['api://a', 'api://b'] },
      field: 'audiences',
      reason: /exactly one/,
    },
    { what: 'no audience', input: { ...valid, audiences: [] }, field: 'audiences', reason: /exactly one/ },
    {
      what: 'an empty audience',
      input: { ...valid, audiences: [''] },
      field: 'audiences',
      reason: /must not be empty/,
    },
    {
      what: 'audience 601 characters',
      input: { ...valid, audiences: ['a'.repeat(601)] },
      field: 'audiences',
      reason: /at most 600/,
    },
    {
      what: 'audiences a string',
      input: { ...valid, audiences: 'api://a' },
      field: 'audiences',
      reason: /must be an array/,
    },
    { what: 'audience a number', input: { ...valid, audiences: [1] }, field: 'audiences', reason: /strings/ },
    {
      what: 'description 601 characters',
      input: { ...valid, description: 'd'.repeat(601) },
      field: 'description',
      reason: /at most 600/,
    },
    {
      what: 'description a number',
      input: { ...valid, description: 5 },
      field: 'description',
      reason: /must be a string/,
    },
  ];
  for (const { what, input, field, reason } of refused) {
    test(`${what} → invalid_value naming '${field}'`, () => {
      assertInvalid(() => normalizeFederatedIdentityCredential(input), field, reason);
    });
  }

  test('the error message names the field (Graph Request_BadRequest)', () => {
    assert.throws(
      () => normalizeFederatedIdentityCredential({ ...valid, audiences: ['a', 'b'] }),
      (error: unknown) =>
        error instanceof CredlessError && error.status === 400 && /'audiences'/.test(error.message),
    );
  });
});
