/**
 * The identity file definition: good files parse with defaults, bad files fail with every problem
 * named by its path, `${VAR}` substitution, the example file, and the committed JSON Schema in sync.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { identityJsonSchema } from '../../src/declarative/definition.ts';
import { DefinitionError, parseIdentityFile } from '../../src/declarative/load.ts';
import { UsageError } from '../../src/exit-codes.ts';

const root = new URL('../../../../', import.meta.url);

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseIdentityFile(text, 'identity.yaml', env);
  } catch (error) {
    assert.ok(error instanceof DefinitionError, `expected a DefinitionError, got ${String(error)}`);
    assert.ok(error instanceof UsageError, 'a bad file is a usage error (exit 2)');
    assert.match(error.message, /^identity\.yaml is not a valid identity file:/);
    return error.problems;
  }
  assert.fail('the file was accepted');
}

const app = (body: string) => `apiVersion: credless.dev/v1\napplications:\n  - displayName: myapp\n${body}`;
const fics = (...lines: string[]) =>
  app(`    federatedCredentials:\n${lines.map((l) => `      - ${l}\n`).join('')}`);

describe('identity file definition', () => {
  test('a minimal file parses with Graph defaults filled in', () => {
    const file = parseIdentityFile(
      fics(
        '{ name: gh-main, issuer: https://token.actions.githubusercontent.com, subject: "repo:o/r:ref:refs/heads/main" }',
        `{ name: gh-prs, issuer: https://token.actions.githubusercontent.com, claimsMatchingExpression: { value: "claims['sub'] matches 'repo:o/*'" } }`,
      ),
      'identity.yaml',
      {},
    );
    assert.deepEqual(file.groups, []);
    const [spec] = file.applications;
    assert.ok(spec);
    assert.equal(spec.servicePrincipal, true);
    assert.equal(spec.accessTokenAcceptedVersion, null);
    assert.deepEqual(spec.identifierUris, []);
    assert.deepEqual(spec.federatedCredentials[0]?.audiences, ['api://AzureADTokenExchange']);
    assert.deepEqual(spec.federatedCredentials[1]?.claimsMatchingExpression, {
      value: "claims['sub'] matches 'repo:o/*'",
      languageVersion: 1,
    });
  });

  const bad: Array<[string, string, RegExp[]]> = [
    ['not a mapping', '- just\n- a list\n', [/^\(root\): must be a mapping/]],
    ['YAML syntax error', 'apiVersion: [unclosed\n', [/at line \d+, column \d+$/]],
    ['duplicate YAML key', 'apiVersion: credless.dev/v1\napiVersion: credless.dev/v1\n', [/unique/i]],
    ['wrong apiVersion', 'apiVersion: credless.dev/v2\n', [/^apiVersion: /]],
    ['unknown top-level field', 'apiVersion: credless.dev/v1\nfoo: 1\n', [/^\(root\): unknown field 'foo'$/]],
    ['unknown application field', app('    colour: blue\n'), [/^applications\[0\]: unknown field 'colour'$/]],
    ['wrong type', app('    servicePrincipal: "yes"\n'), [/^applications\[0\]\.servicePrincipal: .*boolean/]],
    [
      'subject and expression together',
      fics(
        `{ name: both, issuer: https://i.example, subject: s, claimsMatchingExpression: { value: "claims['sub'] eq 's'" } }`,
      ),
      [
        /^applications\[0\]\.federatedCredentials\[0\]: subject and claimsMatchingExpression are mutually exclusive$/,
      ],
    ],
    [
      'neither subject nor expression',
      fics('{ name: none, issuer: https://i.example }'),
      [
        /^applications\[0\]\.federatedCredentials\[0\]: one of subject or claimsMatchingExpression is required$/,
      ],
    ],
    [
      'invalid credential name',
      fics('{ name: "-x", issuer: https://i.example, subject: s }'),
      [/^applications\[0\]\.federatedCredentials\[0\]\.name: must be 3-120 characters/],
    ],
    [
      'http issuer (the server rule)',
      fics('{ name: plain, issuer: http://i.example, subject: s }'),
      [/^applications\[0\]\.federatedCredentials\[0\]\.issuer: 'http:\/\/i\.example' must use https$/],
    ],
    [
      'expression syntax error',
      fics(
        `{ name: expr, issuer: https://i.example, claimsMatchingExpression: { value: "claims['sub'] ~ 'x'" } }`,
      ),
      [/^applications\[0\]\.federatedCredentials\[0\]\.claimsMatchingExpression: /],
    ],
    [
      'two audiences',
      fics('{ name: auds, issuer: https://i.example, subject: s, audiences: [a, b] }'),
      [/^applications\[0\]\.federatedCredentials\[0\]\.audiences: /],
    ],
    [
      'oversized subject',
      fics(`{ name: long, issuer: https://i.example, subject: ${'s'.repeat(601)} }`),
      [/^applications\[0\]\.federatedCredentials\[0\]\.subject: /],
    ],
    [
      'duplicate credential names',
      fics(
        '{ name: same, issuer: https://i.example, subject: a }',
        '{ name: SAME, issuer: https://i.example, subject: b }',
      ),
      [/^applications\[0\]\.federatedCredentials\[1\]\.name: duplicate federated credential name 'SAME'$/],
    ],
    [
      'the same issuer and subject twice',
      fics(
        '{ name: one, issuer: https://i.example, subject: a }',
        '{ name: two, issuer: https://i.example, subject: a }',
      ),
      [
        /^applications\[0\]\.federatedCredentials\[1\]\.subject: same issuer and subject as federatedCredentials\[0\]$/,
      ],
    ],
    [
      'duplicate applications',
      'apiVersion: credless.dev/v1\napplications:\n  - displayName: a\n  - displayName: a\n',
      [/^applications\[1\]\.displayName: duplicate application displayName 'a'$/],
    ],
    [
      'consent without a service principal',
      app('    servicePrincipal: false\n    apiPermissions: [{ api: other, roles: [R] }]\n'),
      [/^applications\[0\]\.apiPermissions\[0\]\.adminConsent: admin consent needs the service principal/],
    ],
    [
      'bad group mailNickname',
      'apiVersion: credless.dev/v1\ngroups:\n  - { displayName: g, mailNickname: "has space" }\n',
      [/^groups\[0\]\.mailNickname: must be 1-64 characters/],
    ],
    [
      'several problems at once',
      `${fics('{ name: x, issuer: https://i.example, subject: s }')}  - displayName: myapp\n    extra: 1\n`,
      [
        /federatedCredentials\[0\]\.name/,
        /^applications\[1\]: unknown field 'extra'$/,
        /duplicate application/,
      ],
    ],
  ];
  for (const [name, text, expected] of bad) {
    test(`rejects: ${name}`, () => {
      const problems = problemsOf(text);
      for (const pattern of expected) {
        assert.ok(
          problems.some((problem) => pattern.test(problem)),
          `${pattern} not in:\n${problems.join('\n')}`,
        );
      }
    });
  }

  /** A `${NAME}` placeholder, as written in files. */
  const v = (name: string) => `\${${name}}`;

  test('placeholders are replaced from the environment; $$ escapes; an unset one is an error', () => {
    const text = fics(
      `{ name: k8s-sa, issuer: "${v('ISSUER')}", subject: "system:serviceaccount:${v('NS')}:sa", description: "$${v('KEEP')}" }`,
    );
    const file = parseIdentityFile(text, 'identity.yaml', {
      ISSUER: 'https://oidc.example/',
      NS: 'payments',
    });
    const fic = file.applications[0]?.federatedCredentials[0];
    assert.equal(fic?.issuer, 'https://oidc.example/');
    assert.equal(fic?.subject, 'system:serviceaccount:payments:sa');
    assert.equal(fic?.description, v('KEEP'));
    assert.deepEqual(problemsOf(text, { ISSUER: 'https://oidc.example/' }), [
      'applications[0].federatedCredentials[0].subject: environment variable NS is not set',
    ]);
  });

  test('a substituted value is data, never YAML', () => {
    const file = parseIdentityFile(app(`    identifierUris: ["${v('URI')}"]\n`), 'identity.yaml', {
      URI: 'api://x\n    servicePrincipal: false',
    });
    assert.deepEqual(file.applications[0]?.identifierUris, ['api://x\n    servicePrincipal: false']);
    assert.equal(file.applications[0]?.servicePrincipal, true);
  });

  test('examples/identity.yaml is a valid identity file', async () => {
    const text = await readFile(new URL('examples/identity.yaml', root), 'utf8');
    const file = parseIdentityFile(text, 'examples/identity.yaml', {
      SERVICE_ACCOUNT_ISSUER: 'https://oidc.cluster.example/',
    });
    assert.ok(file.applications.length >= 2);
    assert.ok(
      file.applications.some((spec) => spec.federatedCredentials.some((f) => f.claimsMatchingExpression)),
    );
  });

  test('schemas/identity.schema.json is generated from the definition (run npm run schema when this fails)', async () => {
    const committed = JSON.parse(await readFile(new URL('schemas/identity.schema.json', root), 'utf8'));
    assert.deepEqual(
      committed,
      identityJsonSchema(),
      'schemas/identity.schema.json is stale: run npm run schema',
    );
  });

  test('the JSON Schema describes the file for editors: required fields, enums, no unknown fields', () => {
    const schema = identityJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { items?: { required?: string[]; additionalProperties?: boolean } }>;
    };
    assert.deepEqual(schema.required, ['apiVersion']);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.properties['applications']?.items?.required, ['displayName']);
    assert.equal(schema.properties['applications']?.items?.additionalProperties, false);
    assert.deepEqual(schema.properties['groups']?.items?.required, ['displayName', 'mailNickname']);
  });
});
