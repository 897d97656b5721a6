/** The OData helper and the Graph error mapper, directly. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { toGraphError } from '../../src/graph/graph-errors.ts';
import { collection, contextUrl, parseODataQuery } from '../../src/graph/odata.ts';

const IDS = { requestId: 'r-1', clientRequestId: 'c-1' };
const NOW = new Date('2026-11-29T10:11:12.345Z');

describe('Graph error mapper', () => {
  test('directory errors keep their Graph code, status and message', () => {
    const { status, body, exposed } = toGraphError(new CredlessError('not_found', { id: 'x' }), IDS, NOW);
    assert.equal(status, 404);
    assert.equal(exposed, true);
    assert.deepEqual(body, {
      error: {
        code: 'Request_ResourceNotFound',
        message:
          "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
        innerError: { date: '2026-11-29T10:11:12', 'request-id': 'r-1', 'client-request-id': 'c-1' },
      },
    });
  });

  test('anything else is a 500 that says nothing about its cause', () => {
    for (const error of [
      new Error('connection to 10.0.0.5 refused'),
      new CredlessError('server_error'),
      'boom',
    ]) {
      const { status, body, exposed } = toGraphError(error, IDS, NOW);
      assert.equal(status, 500);
      assert.equal(exposed, false);
      assert.equal(body.error.code, 'UnknownError');
      assert.ok(!body.error.message.includes('10.0.0.5'));
    }
  });
});

describe('OData query options', () => {
  const properties = ['id', 'appId', 'displayName'];
  const parse = (query: Record<string, unknown>) =>
    parseODataQuery(query, properties, ['appId', 'displayName']);

  test('$filter is parsed into a tree (the grammar is tested in odata-filter.test.ts)', () => {
    assert.deepEqual(parse({ $filter: "startswith(displayName,'ci') and appId eq 'O''Brien'" }).filter, {
      kind: 'and',
      left: { kind: 'startswith', property: 'displayName', value: 'ci' },
      right: { kind: 'eq', property: 'appId', value: "O'Brien" },
    });
    assert.equal(parse({}).filter, undefined);
  });

  test('unsupported or unknown options are 400, not ignored', () => {
    const rejects = (query: Record<string, unknown>, code = 'graph_bad_request') =>
      assert.throws(
        () => parse(query),
        (error: unknown) => (error as CredlessError).code === code,
      );
    rejects({ $filter: "id eq 'x'" }, 'graph_unsupported_query');
    rejects({ $filter: "appId gt 'x'" }, 'graph_unsupported_query');
    rejects({ $filter: ['a', 'b'] });
    rejects({ $select: 'id,secret' });
    rejects({ $top: '0' });
    rejects({ $orderby: 'displayName' });
  });

  test('collections filter, limit and project; @odata.context names the selection', () => {
    const items = [
      { id: '1', appId: 'a', displayName: 'Alpha' },
      { id: '2', appId: 'b', displayName: 'alpine' },
      { id: '3', appId: 'c', displayName: 'beta' },
    ];
    const result = collection(
      'https://h/v1.0',
      'applications',
      items,
      parse({
        $filter: "startswith(displayName,'AL')",
        $select: 'id',
        $top: '1',
      }),
    );
    assert.deepEqual(result, {
      '@odata.context': 'https://h/v1.0/$metadata#applications(id)',
      value: [{ id: '1' }],
    });
    assert.equal(
      contextUrl('https://h/v1.0', 'groups', { entity: true }),
      'https://h/v1.0/$metadata#groups/$entity',
    );
  });
});
