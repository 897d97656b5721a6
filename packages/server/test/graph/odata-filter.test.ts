/**
 * Graph's $filter subset, parsed and evaluated: which objects each filter selects, and Graph's 400 for
 * malformed, unsupported, injected and over-long filters.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import {
  evaluateFilter,
  type FilterSchema,
  MAX_FILTER_LENGTH,
  parseFilter,
} from '../../src/graph/odata-filter.ts';

const SCHEMA: FilterSchema = {
  properties: ['id', 'appId', 'displayName', 'servicePrincipalNames', 'tags', 'accountEnabled'],
  strings: ['appId', 'displayName'],
  collections: ['servicePrincipalNames', 'tags'],
};
const PRINCIPALS = [
  {
    id: '1',
    appId: 'aaaa',
    displayName: 'orders and billing',
    servicePrincipalNames: ['aaaa', 'api://orders'],
    tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
    accountEnabled: true,
  },
  {
    id: '2',
    appId: 'bbbb',
    displayName: "O'Brien's app",
    servicePrincipalNames: ['bbbb', 'API://Billing'],
    tags: [],
    accountEnabled: false,
  },
  {
    id: '3',
    appId: 'cccc',
    displayName: null,
    servicePrincipalNames: ['cccc'],
    tags: null,
    accountEnabled: true,
  },
];
const select = (filter: string) =>
  PRINCIPALS.filter((item) => evaluateFilter(parseFilter(filter, SCHEMA), item)).map((item) => item.id);

describe('$filter: what each filter selects', () => {
  const cases: Array<[filter: string, ids: string[]]> = [
    ["appId eq 'aaaa'", ['1']],
    ["displayName eq 'ORDERS AND BILLING'", ['1']],
    // A quoted value holding ` and ` is one value, not two clauses.
    ["displayName eq 'orders and billing' and appId eq 'aaaa'", ['1']],
    ["displayName eq 'O''Brien''s app'", ['2']],
    ["appId ne 'aaaa'", ['2', '3']],
    ["displayName ne 'orders and billing'", ['2', '3']],
    ["startswith(displayName,'o')", ['1', '2']],
    ["startsWith( displayName , 'O''B' )", ['2']],
    ["appId eq 'aaaa' or appId eq 'cccc'", ['1', '3']],
    ["appId eq 'aaaa' or appId eq 'bbbb' and displayName eq 'nope'", ['1']],
    ["(appId eq 'aaaa' or appId eq 'bbbb') and displayName eq 'nope'", []],
    ["((appId eq 'bbbb'))", ['2']],
    ["servicePrincipalNames/any(c:c eq 'api://orders')", ['1']],
    ["servicePrincipalNames/any(c:c eq 'api://billing')", ['2']],
    ["servicePrincipalNames/any( s : s eq 'cccc' )", ['3']],
    ["servicePrincipalNames/any(c:startswith(c,'api://'))", ['1', '2']],
    ["servicePrincipalNames/any(c:c eq 'aaaa' or c eq 'bbbb')", ['1', '2']],
    ["servicePrincipalNames/any(c:c ne 'cccc')", ['1', '2']],
    ["tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')", ['1']],
    ["tags/any(t:t eq 'x') or appId eq 'cccc'", ['3']],
    ["servicePrincipalNames/any(c:c eq 'api://orders') and startswith(displayName,'orders')", ['1']],
    ["appId eq ''' or ''1''=''1'", []],
    ["displayName eq 'x'' or appId ne '''", []],
  ];
  for (const [filter, ids] of cases) {
    test(filter, () => assert.deepEqual(select(filter), ids));
  }
});

describe('$filter: refused with Graph errors', () => {
  const cases: Array<{
    filter: string;
    code: 'graph_bad_request' | 'graph_unsupported_query';
    message: RegExp;
  }> = [
    // Malformed: BadRequest, with the position.
    { filter: 'appId eq', code: 'graph_bad_request', message: /Syntax error at position 8/ },
    { filter: "appId eq 'unterminated", code: 'graph_bad_request', message: /Syntax error at position 9/ },
    {
      filter: "appId eq 'a' appId eq 'b'",
      code: 'graph_bad_request',
      message: /Syntax error at position 13/,
    },
    { filter: "(appId eq 'a'", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId eq 'a')", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId eq 'a' and", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId = 'a'", code: 'graph_bad_request', message: /Syntax error at position 6/ },
    { filter: "appId eq 'a'; drop table applications", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId eq 'a' -- ", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId eq 'a' or 1 eq 1", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId eq 'a') or (appId ne '", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "appId eq 'a'\u0000", code: 'graph_bad_request', message: /Syntax error at position 12/ },
    { filter: "appId eq 'a'\nor appId eq 'b'", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "servicePrincipalNames/any(c c eq 'a')", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "servicePrincipalNames/some(c:c eq 'a')", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: "frobnicate(appId,'a')", code: 'graph_bad_request', message: /Syntax error/ },
    { filter: '   ', code: 'graph_bad_request', message: /^Invalid filter clause\.$/ },
    // Properties the type does not have, prototype names included.
    { filter: "secret eq 'a'", code: 'graph_bad_request', message: /property named 'secret'/ },
    { filter: "__proto__ eq 'a'", code: 'graph_bad_request', message: /property named '__proto__'/ },
    {
      filter: "constructor/any(c:c eq 'a')",
      code: 'graph_bad_request',
      message: /property named 'constructor'/,
    },
    // Well-formed, but not what this Graph serves: Request_UnsupportedQuery.
    { filter: "id eq 'a'", code: 'graph_unsupported_query', message: /property 'id'/ },
    {
      filter: 'accountEnabled eq true',
      code: 'graph_unsupported_query',
      message: /property 'accountEnabled'/,
    },
    { filter: 'appId eq null', code: 'graph_unsupported_query', message: /literal 'null'/ },
    { filter: "appId gt 'a'", code: 'graph_unsupported_query', message: /operator 'gt'/ },
    { filter: "not(appId eq 'a')", code: 'graph_unsupported_query', message: /function 'not'/ },
    { filter: "not appId eq 'a'", code: 'graph_unsupported_query', message: /operator 'not'/ },
    { filter: "endswith(appId,'a')", code: 'graph_unsupported_query', message: /function 'endswith'/ },
    {
      filter: "servicePrincipalNames eq 'a'",
      code: 'graph_unsupported_query',
      message: /property 'servicePrincipalNames'/,
    },
    { filter: "appId/any(c:c eq 'a')", code: 'graph_unsupported_query', message: /property 'appId'/ },
    { filter: "servicePrincipalNames/all(c:c eq 'a')", code: 'graph_unsupported_query', message: /'all'/ },
    {
      filter: "servicePrincipalNames/any(c:appId eq 'a')",
      code: 'graph_unsupported_query',
      message: /inside a lambda/,
    },
    {
      filter: "servicePrincipalNames/any(c:tags/any(t:t eq 'a'))",
      code: 'graph_unsupported_query',
      message: /property 'tags'/,
    },
    // Bounded: length before parsing, nesting while parsing.
    {
      filter: `appId eq '${'a'.repeat(MAX_FILTER_LENGTH)}'`,
      code: 'graph_bad_request',
      message: new RegExp(`at most ${MAX_FILTER_LENGTH}`),
    },
    {
      filter: `${'('.repeat(40)}appId eq 'a'${')'.repeat(40)}`,
      code: 'graph_bad_request',
      message: /nested deeper/,
    },
  ];
  for (const { filter, code, message } of cases) {
    test(`${filter.length > 60 ? `${filter.slice(0, 60)}… (${filter.length} characters)` : JSON.stringify(filter)}`, () => {
      assert.throws(
        () => parseFilter(filter, SCHEMA),
        (error: unknown) => {
          assert.ok(error instanceof CredlessError, String(error));
          assert.equal(error.code, code, error.message);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('a filter of exactly the maximum length is parsed', () => {
    const prefix = "appId eq '";
    const filter = `${prefix}${'a'.repeat(MAX_FILTER_LENGTH - prefix.length - 1)}'`;
    assert.equal(filter.length, MAX_FILTER_LENGTH);
    assert.deepEqual(select(filter), []);
  });
});
