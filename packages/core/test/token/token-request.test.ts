import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '../../src/errors/index.ts';
import {
  type EndpointVersion,
  JWT_BEARER_ASSERTION_TYPE,
  parseClientCredentialsRequest,
  resourceFromScope,
} from '../../src/token/token-request.ts';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const ASSERTION = 'header.payload.signature';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** A valid v2 request, with `changes` applied (undefined removes a parameter). */
function params(changes: Record<string, string | undefined> = {}): Map<string, string> {
  const base: Record<string, string | undefined> = {
    grant_type: 'client_credentials',
    client_id: CLIENT_ID,
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: ASSERTION,
    scope: GRAPH_SCOPE,
    ...changes,
  };
  return new Map(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function assertCode(fn: () => unknown, code: string, expectedParams?: Record<string, string>) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected a CredlessError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (expectedParams) assert.deepEqual(error.params, expectedParams);
    return true;
  });
}

describe('parseClientCredentialsRequest: accepted', () => {
  test('v2 with a /.default scope', () => {
    assert.deepEqual(parseClientCredentialsRequest(params(), 'v2'), {
      clientId: CLIENT_ID,
      resource: 'https://graph.microsoft.com',
      scope: GRAPH_SCOPE,
      clientAssertion: ASSERTION,
    });
  });

  test('v1 with resource (scope ignored)', () => {
    const request = parseClientCredentialsRequest(
      params({ scope: undefined, resource: 'https://management.core.windows.net/' }),
      'v1',
    );
    assert.deepEqual(request, {
      clientId: CLIENT_ID,
      resource: 'https://management.core.windows.net/',
      scope: undefined,
      clientAssertion: ASSERTION,
    });
  });

  test('v1 ignores a scope, even an invalid one', () => {
    const request = parseClientCredentialsRequest(params({ scope: 'nonsense', resource: 'api://r' }), 'v1');
    assert.equal(request.resource, 'api://r');
  });

  test('v2 ignores resource', () => {
    assert.equal(
      parseClientCredentialsRequest(params({ resource: 'api://other' }), 'v2').resource,
      'https://graph.microsoft.com',
    );
  });

  test('unknown parameters are ignored', () => {
    assert.equal(
      parseClientCredentialsRequest(params({ claims: '{}', foo: 'bar' }), 'v2').clientId,
      CLIENT_ID,
    );
  });

  test('a client_secret alone is the client credential', () => {
    const request = parseClientCredentialsRequest(
      params({ client_secret: 's3cret', client_assertion: undefined, client_assertion_type: undefined }),
      'v2',
    );
    assert.equal(request.clientSecret, 's3cret');
    assert.equal(request.clientAssertion, undefined);
  });

  test('an empty client_secret counts as omitted', () => {
    assert.equal(parseClientCredentialsRequest(params({ client_secret: '' }), 'v2').clientId, CLIENT_ID);
  });
});

describe('parseClientCredentialsRequest: refused', () => {
  const cases: Array<{
    name: string;
    changes: Record<string, string | undefined>;
    version?: EndpointVersion;
    code: string;
    params?: Record<string, string>;
  }> = [
    {
      name: 'grant_type missing',
      changes: { grant_type: undefined },
      code: 'missing_parameter',
      params: { name: 'grant_type' },
    },
    {
      name: 'grant_type empty',
      changes: { grant_type: '' },
      code: 'missing_parameter',
      params: { name: 'grant_type' },
    },
    {
      name: 'grant_type password',
      changes: { grant_type: 'password' },
      code: 'unsupported_grant_type',
      params: { grantType: 'password' },
    },
    {
      name: 'grant_type jwt-bearer (OBO)',
      changes: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
      code: 'unsupported_grant_type',
      params: { grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
    },
    {
      name: 'grant_type in another case',
      changes: { grant_type: 'Client_Credentials' },
      code: 'unsupported_grant_type',
    },
    {
      name: 'client_id missing',
      changes: { client_id: undefined },
      code: 'missing_parameter',
      params: { name: 'client_id' },
    },
    {
      name: 'client_id empty',
      changes: { client_id: '' },
      code: 'missing_parameter',
      params: { name: 'client_id' },
    },
    {
      name: 'client_secret with an assertion',
      changes: { client_secret: 's3cret' },
      code: 'client_authentication_ambiguous',
      params: {},
    },
    {
      name: 'client_secret with only an assertion type',
      changes: { client_secret: 's3cret', client_assertion: undefined },
      code: 'client_authentication_ambiguous',
    },
    {
      name: 'no client authentication at all',
      changes: { client_assertion: undefined, client_assertion_type: undefined },
      code: 'client_authentication_missing',
    },
    {
      name: 'assertion and its type both empty',
      changes: { client_assertion: '', client_assertion_type: '' },
      code: 'client_authentication_missing',
    },
    {
      name: 'assertion without its type',
      changes: { client_assertion_type: undefined },
      code: 'client_assertion_type_invalid',
      params: { assertionType: '(none)' },
    },
    {
      name: 'assertion with a SAML type',
      changes: { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' },
      code: 'client_assertion_type_invalid',
      params: { assertionType: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' },
    },
    {
      name: 'type without the assertion',
      changes: { client_assertion: undefined },
      code: 'client_authentication_missing',
    },
    {
      name: 'type with an empty assertion',
      changes: { client_assertion: '' },
      code: 'client_authentication_missing',
    },
    {
      name: 'v2 scope missing',
      changes: { scope: undefined },
      code: 'missing_parameter',
      params: { name: 'scope' },
    },
    { name: 'v2 scope empty', changes: { scope: '' }, code: 'missing_parameter', params: { name: 'scope' } },
    {
      name: 'v2 scope without /.default',
      changes: { scope: 'https://graph.microsoft.com/User.Read' },
      code: 'scope_not_default',
    },
    {
      name: 'v1 resource missing',
      changes: { scope: undefined },
      version: 'v1',
      code: 'missing_parameter',
      params: { name: 'resource' },
    },
    {
      name: 'v1 resource empty',
      changes: { resource: '' },
      version: 'v1',
      code: 'missing_parameter',
      params: { name: 'resource' },
    },
  ];
  for (const { name, changes, version = 'v2', code, params: expected } of cases) {
    test(`${version}: ${name} → ${code}`, () => {
      assertCode(() => parseClientCredentialsRequest(params(changes), version), code, expected);
    });
  }
});

describe('resourceFromScope', () => {
  const resolved: Array<[string, string]> = [
    [GRAPH_SCOPE, 'https://graph.microsoft.com'],
    // az asks for `https://management.core.windows.net//.default`; the resource keeps one slash.
    ['https://management.core.windows.net//.default', 'https://management.core.windows.net/'],
    ['api://11111111-2222-3333-4444-555555555555/.default', 'api://11111111-2222-3333-4444-555555555555'],
    ['11111111-2222-3333-4444-555555555555/.default', '11111111-2222-3333-4444-555555555555'],
    [`openid profile offline_access ${GRAPH_SCOPE}`, 'https://graph.microsoft.com'],
    [`${GRAPH_SCOPE} email`, 'https://graph.microsoft.com'],
    [`  ${GRAPH_SCOPE}  `, 'https://graph.microsoft.com'],
    [`${GRAPH_SCOPE} ${GRAPH_SCOPE}`, 'https://graph.microsoft.com'],
  ];
  for (const [scope, resource] of resolved) {
    test(`'${scope}' → '${resource}'`, () => assert.equal(resourceFromScope(scope), resource));
  }

  const refused: Array<{ scope: string; code: string; params: Record<string, string> }> = [
    { scope: '', code: 'scope_invalid', params: { scope: '' } },
    { scope: '   ', code: 'scope_invalid', params: { scope: '   ' } },
    { scope: 'openid profile', code: 'scope_invalid', params: { scope: 'openid profile' } },
    { scope: '/.default', code: 'scope_invalid', params: { scope: '/.default' } },
    {
      scope: 'https://graph.microsoft.com/User.Read',
      code: 'scope_not_default',
      params: { scope: 'https://graph.microsoft.com/User.Read' },
    },
    {
      scope: 'https://graph.microsoft.com',
      code: 'scope_not_default',
      params: { scope: 'https://graph.microsoft.com' },
    },
    { scope: `${GRAPH_SCOPE} User.Read`, code: 'scope_not_default', params: { scope: 'User.Read' } },
    {
      scope: 'https://graph.microsoft.com/.DEFAULT',
      code: 'scope_not_default',
      params: { scope: 'https://graph.microsoft.com/.DEFAULT' },
    },
    {
      scope: `${GRAPH_SCOPE} api://other/.default`,
      code: 'scope_multiple_resources',
      params: { scope: `${GRAPH_SCOPE} api://other/.default` },
    },
    {
      // Two spellings of one resource are still two resources: no normalization.
      scope: `${GRAPH_SCOPE} https://graph.microsoft.com//.default`,
      code: 'scope_multiple_resources',
      params: { scope: `${GRAPH_SCOPE} https://graph.microsoft.com//.default` },
    },
  ];
  for (const { scope, code, params: expected } of refused) {
    test(`'${scope}' → ${code}`, () => assertCode(() => resourceFromScope(scope), code, expected));
  }
});
