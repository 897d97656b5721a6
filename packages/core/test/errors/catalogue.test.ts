import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import {
  CredlessError,
  ERROR_CATALOGUE,
  type ErrorCode,
  EXIT,
  exitCodeFor,
  exitCodeForStatus,
  exitCodeOf,
} from '../../src/errors/index.ts';

const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_resource',
  'invalid_grant',
  'invalid_instance',
  'temporarily_unavailable',
  'server_error',
]);
const STS_STATUSES = new Set([400, 401, 413, 429, 500, 503]);
const entries = Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, (typeof ERROR_CATALOGUE)[ErrorCode]]>;

/** The `p.name` parameters a message template reads, from its source text. */
function templateParams(code: ErrorCode): string[] {
  const source = ERROR_CATALOGUE[code].message.toString();
  const names = new Set<string>();
  for (const match of source.matchAll(/\bp\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*['"]([^'"]+)['"]\s*\])/g)) {
    names.add((match[1] ?? match[2]) as string);
  }
  return [...names].sort();
}

describe('error catalogue: shape', () => {
  test('has STS and directory entries', () => {
    assert.ok(entries.filter(([, spec]) => spec.kind === 'sts').length >= 20);
    assert.ok(entries.filter(([, spec]) => spec.kind === 'directory').length >= 3);
  });

  for (const [code, spec] of entries) {
    test(`${code}: code is snake_case`, () => assert.match(code, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/));
    if (spec.kind === 'sts') {
      test(`${code}: numeric AADSTS, status 400/401/413/429/500/503, an OAuth error`, () => {
        assert.ok(Number.isInteger(spec.aadsts) && spec.aadsts > 0, `aadsts ${spec.aadsts}`);
        assert.ok(STS_STATUSES.has(spec.status), `status ${spec.status}`);
        assert.ok(OAUTH_ERRORS.has(spec.error), `error ${spec.error}`);
        // Only server_error may be a 500, and a 500 must be server_error: nothing internal leaks as a 4xx.
        assert.equal(spec.status === 500, spec.error === 'server_error');
        // invalid_client is what RFC 6749 answers with 401 when the client failed to authenticate.
        if (spec.status === 401) assert.equal(spec.error, 'invalid_client');
        // 503 (and throttling's 429) are the retryable "try again shortly" of temporarily_unavailable, and only that.
        assert.equal(spec.status === 503 || spec.status === 429, spec.error === 'temporarily_unavailable');
      });
    } else if (spec.kind === 'operator') {
      test(`${code}: an exit code of EXIT, and an HTTP status`, () => {
        assert.ok(Object.values(EXIT).includes(spec.exit) && spec.exit !== EXIT.ok, `exit ${spec.exit}`);
        assert.ok(spec.status >= 400 && spec.status < 600, `status ${spec.status}`);
      });
    } else if (spec.kind === 'admission') {
      test(`${code}: Kubernetes status reason matching its status`, () => {
        const expected = { 400: 'BadRequest', 403: 'Forbidden', 500: 'InternalError' } as const;
        assert.equal(spec.reason, expected[spec.status as keyof typeof expected]);
      });
    } else {
      test(`${code}: Graph error code and a 4xx status (or Graph's retryable 503 serviceNotAvailable)`, () => {
        assert.match(spec.graph, /^[A-Za-z_]+$/);
        const retryable = spec.status === 503 && spec.graph === 'serviceNotAvailable';
        assert.ok(retryable || (spec.status >= 400 && spec.status < 500), `status ${spec.status}`);
      });
    }
  }
});

describe('error catalogue: message templates', () => {
  for (const [code] of entries) {
    const names = templateParams(code);
    test(`${code}: renders with its parameters (${names.join(', ') || 'none'})`, () => {
      const params = Object.fromEntries(names.map((name) => [name, `<${name}-value>`]));
      const message = new CredlessError(code, params).message;
      assert.ok(!message.includes('undefined'), message);
      assert.ok(!message.includes('[object'), message);
      for (const name of names)
        assert.ok(message.includes(`<${name}-value>`), `${name} is not shown: ${message}`);
      assert.ok(message.length > 10 && message.length < 400, message);
    });
  }

  test('a parameter left out shows up as undefined (so the test above can catch a typo)', () => {
    assert.match(new CredlessError('missing_parameter', {}).message, /undefined/);
  });

  test('CredlessError carries code, params and status', () => {
    const error = new CredlessError('missing_parameter', { name: 'scope' });
    assert.equal(error.code, 'missing_parameter');
    assert.deepEqual(error.params, { name: 'scope' });
    assert.equal(error.status, 400);
    assert.equal(error.name, 'CredlessError');
    assert.equal(error.message, "The request body must contain the following parameter: 'scope'.");
  });
});

// Every `new CredlessError('<code>', { … })` in the sources must supply exactly the parameters its
// template reads: a misspelt parameter on either side would otherwise print 'undefined' to a client.
const packagesDir = new URL('../../../', import.meta.url).pathname;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) yield path;
  }
}

interface CallSite {
  where: string;
  codes: string[];
  /** undefined when the parameters are not a plain object literal (spread, variable): not checkable. */
  params: string[] | undefined;
}

function callSites(): CallSite[] {
  const found: CallSite[] = [];
  for (const pkg of readdirSync(packagesDir)) {
    const src = join(packagesDir, pkg, 'src');
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const file of sourceFiles(src)) {
      const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (
          ts.isNewExpression(node) &&
          node.expression.getText() === 'CredlessError' &&
          node.arguments?.[0]
        ) {
          const [codeArg, paramsArg] = node.arguments;
          const codes = ts.isStringLiteral(codeArg)
            ? [codeArg.text]
            : ts.isConditionalExpression(codeArg) &&
                ts.isStringLiteral(codeArg.whenTrue) &&
                ts.isStringLiteral(codeArg.whenFalse)
              ? [codeArg.whenTrue.text, codeArg.whenFalse.text]
              : [];
          let params: string[] | undefined;
          if (paramsArg === undefined) params = [];
          else if (
            ts.isObjectLiteralExpression(paramsArg) &&
            paramsArg.properties.every(
              (p) => ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p),
            )
          ) {
            params = paramsArg.properties.map((p) => (p.name as ts.Identifier).text).sort();
          }
          const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
          found.push({ where: `${file.slice(packagesDir.length)}:${line + 1}`, codes, params });
        }
        ts.forEachChild(node, visit);
      };
      visit(sourceFile);
    }
  }
  return found;
}

describe('error catalogue: call sites', () => {
  const sites = callSites();

  test('call sites are found across packages', () => {
    assert.ok(sites.length >= 20, `only ${sites.length} call sites found`);
    assert.ok(sites.some((site) => site.where.startsWith('server/')));
  });

  test('every call site names a catalogue code', () => {
    for (const site of sites) {
      for (const code of site.codes)
        assert.ok(code in ERROR_CATALOGUE, `${site.where}: unknown code '${code}'`);
    }
  });

  test('every call site passes exactly the parameters its message reads', () => {
    const problems: string[] = [];
    for (const site of sites) {
      if (site.params === undefined) continue;
      for (const code of site.codes) {
        const expected = templateParams(code as ErrorCode);
        if (expected.join(',') !== site.params.join(',')) {
          problems.push(
            `${site.where} ${code}: passes {${site.params.join(', ')}}, message reads {${expected.join(', ')}}`,
          );
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('error catalogue: exit codes', () => {
  test('every code has one exit code: an operator error its own, any other its status', () => {
    for (const [code, spec] of entries) {
      const expected = spec.kind === 'operator' ? spec.exit : exitCodeForStatus(spec.status);
      assert.equal(exitCodeOf(code), expected, code);
    }
  });

  test('HTTP statuses: 400/413/422 are invalid input, 404 not found, 409 conflict, the rest a failure', () => {
    const cases: Array<[number, number]> = [
      [400, EXIT.invalidInput],
      [413, EXIT.invalidInput],
      [422, EXIT.invalidInput],
      [404, EXIT.notFound],
      [409, EXIT.conflict],
      [401, EXIT.failure],
      [403, EXIT.failure],
      [500, EXIT.failure],
      [503, EXIT.failure],
    ];
    for (const [status, exit] of cases) assert.equal(exitCodeForStatus(status), exit, String(status));
  });

  test('exitCodeFor reads the code of whatever was thrown; no catalogue code is a failure', () => {
    assert.equal(exitCodeFor(new CredlessError('not_found', { id: 'x' })), EXIT.notFound);
    assert.equal(exitCodeFor(new CredlessError('duplicate_value', {})), EXIT.conflict);
    assert.equal(exitCodeFor(new CredlessError('plan_changes_pending')), EXIT.changesPending);
    // A class of a package below core carries the code as a plain property.
    assert.equal(exitCodeFor(Object.assign(new Error('bad'), { code: 'config_invalid' })), EXIT.invalidInput);
    // Node's own codes are not catalogue codes.
    assert.equal(exitCodeFor(Object.assign(new Error('gone'), { code: 'ENOENT' })), EXIT.failure);
    assert.equal(exitCodeFor(Object.assign(new Error('proto'), { code: 'toString' })), EXIT.failure);
    assert.equal(exitCodeFor(new Error('plain')), EXIT.failure);
    assert.equal(exitCodeFor('a string'), EXIT.failure);
    assert.equal(exitCodeFor(undefined), EXIT.failure);
  });
});
