/** az's output formats and --query, on fixed values. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exitCodeFor, UsageError } from '../../src/exit-codes.ts';
import { formatOutput, formatTable, formatTsv, parseOutputFormat } from '../../src/output/format.ts';
import { compileQuery } from '../../src/output/query.ts';

const apps = [
  {
    id: 'o1',
    appId: 'a1',
    displayName: 'payments',
    requiredResourceAccess: [],
    api: { v: 1 },
    enabled: true,
  },
  {
    id: 'o2',
    appId: 'a2',
    displayName: 'orders',
    requiredResourceAccess: [{}, {}],
    api: null,
    enabled: false,
  },
];

describe('tsv (az rules)', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a string prints bare (for $(…) in scripts)', 'abc', 'abc\n'],
    ['a number', 42, '42\n'],
    ['null prints an empty line', null, '\n'],
    ['nothing prints nothing', undefined, ''],
    ['an array of scalars: one row each', ['x', 'y'], 'x\ny\n'],
    [
      'objects: values in order, tab-separated; arrays as their length, objects empty, booleans as True/False',
      apps,
      'o1\ta1\tpayments\t0\t\tTrue\no2\ta2\torders\t2\t\tFalse\n',
    ],
    ['an array inside an array is one row', [['a', 'b']], 'a\tb\n'],
  ];
  for (const [what, value, expected] of cases) {
    test(what, () => assert.equal(formatTsv(value), expected));
  }
});

describe('table', () => {
  test('columns from scalar properties, capitalised headers, dashes, aligned', () => {
    assert.equal(
      formatTable(apps),
      [
        'Id  AppId  DisplayName  Enabled',
        '--  -----  -----------  -------',
        'o1  a1     payments     True',
        'o2  a2     orders       False',
        '',
      ].join('\n'),
    );
  });
  test('one object is one row; scalars are a Result column', () => {
    assert.equal(formatTable({ appId: 'a1', tenant: 't' }), 'AppId  Tenant\n-----  ------\na1     t\n');
    assert.equal(formatTable(['x', 'yy']), 'Result\n------\nx\nyy\n');
  });
  test('rows missing a column leave it empty; newlines in cells are flattened', () => {
    assert.equal(formatTable([{ a: 'x\ny' }, { b: 1 }]), 'A    B\n---  -\nx y\n     1\n');
  });
  test('OData annotations are no columns', () => {
    assert.equal(formatTable({ '@odata.context': 'https://x/$metadata', id: 'o1' }), 'Id\n--\no1\n');
  });
  test('nothing to show prints nothing', () => {
    assert.equal(formatTable(undefined), '');
    assert.equal(formatTable([]), '');
    assert.equal(formatTable([{ nested: { a: 1 } }]), '');
  });
});

describe('formats', () => {
  test('json is indented and none prints nothing', () => {
    assert.equal(formatOutput({ a: 1 }, 'json'), '{\n  "a": 1\n}\n');
    assert.equal(formatOutput({ a: 1 }, 'none'), '');
    assert.equal(formatOutput(undefined, 'json'), '');
  });
  test('an unknown format is a usage error (exit 2)', () => {
    assert.equal(parseOutputFormat(undefined), 'json');
    assert.equal(parseOutputFormat('TSV'), 'tsv');
    assert.throws(
      () => parseOutputFormat('yaml'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--output: 'yaml' is not one of json, jsonc, tsv, table, none/);
        return exitCodeFor(error) === 2;
      },
    );
  });
});

describe('--query (JMESPath)', () => {
  test('the seed queries: objectId, appId, [0].name', () => {
    assert.equal(compileQuery('appId').apply(apps[0]), 'a1');
    assert.equal(compileQuery('[0].displayName').apply(apps), 'payments');
    assert.deepEqual(compileQuery('[?enabled].appId').apply(apps), ['a1']);
    assert.equal(compileQuery('objectId').apply(undefined), null);
  });
  for (const expression of ['[0.name', 'foo[?', '[?name==]', '']) {
    test(`syntax error ${JSON.stringify(expression)} → usage error naming the expression (exit 2)`, () => {
      assert.throws(
        () => compileQuery(expression),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, /^--query: '.*' is not a valid JMESPath expression: /);
          return exitCodeFor(error) === 2;
        },
      );
    });
  }
  test('a type error at run time is a usage error too', () => {
    assert.throws(
      () => compileQuery('length(appId)').apply({ appId: 5 }),
      /--query: 'length\(appId\)' failed on the result/,
    );
  });
});
