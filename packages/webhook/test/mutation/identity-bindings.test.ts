import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { checkIdentityBinding, parseIdentityBindingPolicy } from '../../src/mutation/identity-bindings.ts';

const PAYMENTS = '11111111-2222-3333-4444-555555555555';
const REPORTING = 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE';
const policy = parseIdentityBindingPolicy(`
bindings:
  - clientId: ${PAYMENTS}
    serviceAccounts: [payments/api, payments/worker]
  - clientId: ${REPORTING}
    namespaces: [reporting]
`);

describe('rule: identity bindings', () => {
  const cases: Array<[string, string, string, string, string | undefined]> = [
    ['bound ServiceAccount', 'payments', 'api', PAYMENTS, undefined],
    ['second bound ServiceAccount', 'payments', 'worker', PAYMENTS, undefined],
    [
      'other ServiceAccount in the same namespace',
      'payments',
      'batch',
      PAYMENTS,
      'its binding names other ServiceAccounts',
    ],
    ['same name, other namespace', 'evil', 'api', PAYMENTS, 'its binding names other ServiceAccounts'],
    ['namespace binding: any ServiceAccount there', 'reporting', 'anything', REPORTING, undefined],
    ['client ids compare case-insensitively', 'reporting', 'x', REPORTING.toLowerCase(), undefined],
    [
      'namespace binding does not leak to others',
      'payments',
      'api',
      REPORTING,
      'its binding names other ServiceAccounts',
    ],
    [
      'unbound client id is refused',
      'payments',
      'api',
      '99999999-0000-0000-0000-000000000000',
      'no binding names this client id',
    ],
  ];
  for (const [name, namespace, sa, clientId, denial] of cases)
    test(name, () => {
      const run = () => checkIdentityBinding(policy, { namespace, name: sa, clientId });
      if (!denial) return assert.doesNotThrow(run);
      assert.throws(
        run,
        (error: unknown) =>
          error instanceof CredlessError &&
          error.code === 'webhook_identity_binding_denied' &&
          error.status === 403 &&
          error.message.includes(
            `ServiceAccount ${namespace}/${sa} may not use client id ${clientId}: ${denial}`,
          ),
      );
    });

  test('no policy: everything allowed', () =>
    assert.doesNotThrow(() => checkIdentityBinding(undefined, { namespace: 'a', name: 'b', clientId: 'c' })));

  test('two bindings of one client id add up', () => {
    const merged = parseIdentityBindingPolicy(
      `bindings: [{clientId: x, serviceAccounts: [a/one]}, {clientId: X, namespaces: [b]}]`,
    );
    assert.doesNotThrow(() => checkIdentityBinding(merged, { namespace: 'a', name: 'one', clientId: 'x' }));
    assert.doesNotThrow(() => checkIdentityBinding(merged, { namespace: 'b', name: 'two', clientId: 'x' }));
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['not YAML', 'bindings: [', /not valid YAML/],
    ['no bindings list', 'foo: 1', /top-level "bindings" list/],
    ['binding not a mapping', 'bindings: [3]', /bindings\[0\] is not a mapping/],
    ['missing client id', 'bindings: [{namespaces: [a]}]', /bindings\[0\]\.clientId is missing/],
    ['no subjects', 'bindings: [{clientId: x}]', /names no serviceAccounts or namespaces/],
    [
      'bad service account',
      'bindings: [{clientId: x, serviceAccounts: [justname]}]',
      /'justname' is not namespace\/name/,
    ],
    ['wildcards are not names', 'bindings: [{clientId: x, serviceAccounts: ["a/*"]}]', /not namespace\/name/],
    ['bad namespace', 'bindings: [{clientId: x, namespaces: [Upper]}]', /'Upper' is not a namespace name/],
    ['list of non-strings', 'bindings: [{clientId: x, namespaces: [1]}]', /must be a list of strings/],
  ];
  for (const [name, text, message] of invalid)
    test(`policy refused: ${name}`, () =>
      assert.throws(
        () => parseIdentityBindingPolicy(text),
        (error: unknown) =>
          error instanceof CredlessError &&
          error.code === 'webhook_config_invalid' &&
          message.test(error.message),
      ));
});
