/** The `$filter` subset of GET /auditLogs/signIns, read into the store's query. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { parseSignInFilter } from '../../src/graph/routes/sign-in-filter.ts';

const T = '2026-01-01T12:00:00.000Z';
const ms = Date.parse(T);

describe('sign-in $filter', () => {
  test('clauses joined by and: appId, time bounds (inclusive lower, exclusive upper), failures', () => {
    assert.deepEqual(
      parseSignInFilter(`appId eq 'a' and createdDateTime ge ${T} and status/errorCode ne 0`),
      {
        appId: 'a',
        since: new Date(ms),
        result: 'failure',
      },
    );
    assert.deepEqual(parseSignInFilter(`createdDateTime gt ${T}`), { since: new Date(ms + 1) });
    assert.deepEqual(parseSignInFilter(`createdDateTime le '${T}'`), { until: new Date(ms + 1) });
    assert.deepEqual(parseSignInFilter(`createdDateTime lt ${T}`), { until: new Date(ms) });
  });

  test('status/errorCode: eq 0 successes, ne 0 failures, eq N failures with AADSTS N; with the others', () => {
    assert.deepEqual(parseSignInFilter('status/errorCode eq 0'), { result: 'success' });
    assert.deepEqual(parseSignInFilter('status/errorCode ne 0'), { result: 'failure' });
    assert.deepEqual(parseSignInFilter('status/errorCode eq 700213'), { aadsts: 700213 });
    assert.deepEqual(
      parseSignInFilter(`status/errorCode eq 0 and appId eq 'a' and createdDateTime lt ${T}`),
      { result: 'success', appId: 'a', until: new Date(ms) },
    );
    assert.deepEqual(
      parseSignInFilter(`createdDateTime ge ${T} and status/errorCode eq 50126 AND appId eq 'b'`),
      { since: new Date(ms), aadsts: 50126, appId: 'b' },
    );
  });

  test('a quoted value is read whole: an "and" or a doubled quote inside it is part of it', () => {
    assert.deepEqual(parseSignInFilter("appId eq 'x and y'"), { appId: 'x and y' });
    assert.deepEqual(parseSignInFilter("appId eq 'o''brien'"), { appId: "o'brien" });
  });

  const refused = (filter: string, code: string) =>
    assert.throws(
      () => parseSignInFilter(filter),
      (error: unknown) => error instanceof CredlessError && error.code === code,
      filter,
    );

  test('anything else is refused, never ignored', () => {
    refused("appId eq 'a' or appId eq 'b'", 'graph_unsupported_query');
    refused("appId ne 'a'", 'graph_unsupported_query');
    refused("userId eq 'a'", 'graph_unsupported_query');
    refused('status/errorCode ne 50126', 'graph_unsupported_query');
    refused('status/errorCode gt 0', 'graph_unsupported_query');
    refused("status/errorCode eq '0'", 'graph_unsupported_query');
    refused('status/errorCode eq -1', 'graph_unsupported_query');
    refused('status/errorCode eq 0 and status/errorCode ne 0', 'graph_unsupported_query');
    refused("appId eq 'a' and appId eq 'b'", 'graph_unsupported_query');
    refused("appId eq 'a' and", 'graph_unsupported_query');
    refused('createdDateTime ge soon', 'graph_bad_request');
    refused('   ', 'graph_bad_request');
    refused(`appId eq '${'x'.repeat(2100)}'`, 'graph_bad_request');
  });
});
