/**
 * Storage errors reach the wire only through each edge's one mapping function: graphErrorFor (the
 * Graph-compatible API) and stsErrorFor (token and discovery endpoints). One table, both edges; and
 * a scan of the store's sources, so storage keeps throwing only its sentinels, never a wire shape.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CredlessError, ERROR_CATALOGUE, type ErrorCode } from '@credless/core';
import { graphErrorFor, STORE_UNAVAILABLE_RETRY_AFTER_S } from '../../src/graph/graph-errors.ts';
import { stsErrorFor } from '../../src/http/sts-errors.ts';
import { duplicate, invalid, notFound, STORAGE_ERROR_CODES } from '../../src/store/storage-errors.ts';

const pgDown = () =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const sqliteBusy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
/** pg's error for a connection that died under a query carries no code, only this message. */
const terminated = () => new Error('Connection terminated unexpectedly');
const syntax = () => Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' });
const fastify415 = () => Object.assign(new Error('Unsupported Media Type: text/plain'), { statusCode: 415 });

interface Row {
  name: string;
  error: () => unknown;
  graph: { status: number; code: string; retryAfter?: number; exposed: boolean };
  sts: { error: string; status: number; exposed: boolean };
}

const SERVER_ERROR = { error: 'server_error', status: 500, exposed: false };
const UNAVAILABLE = { error: 'temporarily_unavailable', status: 503, exposed: true };
const GRAPH_UNAVAILABLE = {
  status: 503,
  code: 'serviceNotAvailable',
  retryAfter: STORE_UNAVAILABLE_RETRY_AFTER_S,
  exposed: true,
};

const ROWS: Row[] = [
  {
    name: 'storage not_found',
    error: () => notFound('x'),
    graph: { status: 404, code: 'Request_ResourceNotFound', exposed: true },
    sts: SERVER_ERROR,
  },
  {
    name: 'storage invalid_value',
    error: () => invalid('displayName', 'too long'),
    graph: { status: 400, code: 'Request_BadRequest', exposed: true },
    sts: SERVER_ERROR,
  },
  {
    name: 'storage duplicate_value',
    error: () => duplicate('Application', 'appId', 'a'),
    graph: { status: 409, code: 'Request_MultipleObjectsWithSameKeyValue', exposed: true },
    sts: SERVER_ERROR,
  },
  { name: 'PostgreSQL shut down (57P01)', error: pgDown, graph: GRAPH_UNAVAILABLE, sts: UNAVAILABLE },
  { name: 'connection refused', error: refused, graph: GRAPH_UNAVAILABLE, sts: UNAVAILABLE },
  { name: 'SQLite busy', error: sqliteBusy, graph: GRAPH_UNAVAILABLE, sts: UNAVAILABLE },
  { name: 'connection terminated (no code)', error: terminated, graph: GRAPH_UNAVAILABLE, sts: UNAVAILABLE },
  {
    name: 'transient error wrapped as a cause',
    error: () => new Error('query failed', { cause: pgDown() }),
    graph: GRAPH_UNAVAILABLE,
    sts: UNAVAILABLE,
  },
  {
    name: 'the token cache failing closed (directory_unavailable)',
    error: () => new CredlessError('directory_unavailable'),
    graph: GRAPH_UNAVAILABLE,
    sts: UNAVAILABLE,
  },
  {
    name: 'a SQL bug is not an outage',
    error: syntax,
    graph: { status: 500, code: 'UnknownError', exposed: false },
    sts: SERVER_ERROR,
  },
  {
    name: "Fastify's own 4xx",
    error: fastify415,
    graph: { status: 400, code: 'BadRequest', exposed: true },
    sts: SERVER_ERROR,
  },
  {
    name: 'an STS error keeps its code',
    error: () => new CredlessError('tenant_not_found', { tenant: 'x' }),
    graph: { status: 500, code: 'UnknownError', exposed: false },
    sts: { error: 'invalid_request', status: 400, exposed: true },
  },
];

for (const row of ROWS) {
  test(`edges: ${row.name}`, () => {
    const graph = graphErrorFor(row.error());
    assert.deepEqual(
      { status: graph.status, code: graph.code, retryAfter: graph.retryAfterSeconds, exposed: graph.exposed },
      { retryAfter: undefined, ...row.graph },
      'Graph',
    );
    if (!graph.exposed) assert.doesNotMatch(graph.message, /syntax|terminat|ECONN|selec/, 'cause hidden');
    const sts = stsErrorFor(row.error());
    assert.deepEqual(
      { error: sts.spec.error, status: sts.spec.status, exposed: sts.exposed },
      row.sts,
      'STS',
    );
  });
}

test('every storage sentinel is a Graph 4xx with its own code and message, never a 500', () => {
  for (const code of STORAGE_ERROR_CODES) {
    const spec = ERROR_CATALOGUE[code];
    assert.equal(spec.kind, 'directory', code);
    const mapped = graphErrorFor(new CredlessError(code, { id: 'x', field: 'f', reason: 'r' }));
    assert.ok(mapped.status >= 400 && mapped.status < 500, `${code}: ${mapped.status}`);
    assert.equal(mapped.exposed, true, code);
  }
});

/** Store files that run outside requests (opening the database, backups): their errors are operator errors. */
const OUTSIDE_REQUESTS = new Set(['database.ts', 'backup.ts']);

test('the store throws only its sentinels and carries no wire codes', async () => {
  const dir = join(import.meta.dirname, '../../src/store');
  const files = (await readdir(dir)).filter((file) => file.endsWith('.ts') && !OUTSIDE_REQUESTS.has(file));
  assert.ok(files.length > 20, `read ${files.length} store files`);
  const offending: string[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const match of text.matchAll(/new CredlessError\(\s*'([a-z0-9_]+)'/g)) {
      const code = match[1] as ErrorCode;
      if (!(STORAGE_ERROR_CODES as readonly string[]).includes(code)) offending.push(`${file}: ${code}`);
    }
    // Graph's and Entra's wire vocabulary belongs to the edges.
    for (const match of text.matchAll(
      /\b(Request_\w+|AADSTS\d*|serviceNotAvailable|temporarily_unavailable)\b/g,
    )) {
      offending.push(`${file}: ${match[1]}`);
    }
  }
  assert.deepEqual(offending, []);
});
