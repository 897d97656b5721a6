import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMutationConfig } from '../../src/mutation/config.ts';

describe('mutation configuration', () => {
  test('defaults: seed token path, Entra audience, authority with a trailing slash', () =>
    assert.deepEqual(compileMutationConfig({ authorityHost: 'https://credless.local:8443' }), {
      authorityHost: 'https://credless.local:8443/',
      tenantId: undefined,
      audience: 'api://AzureADTokenExchange',
      tokenPath: '/var/run/secrets/azure/tokens/azure-identity-token',
      mountPath: '/var/run/secrets/azure/tokens',
      tokenFileName: 'azure-identity-token',
    }));

  test('custom token path splits into mount directory and file', () => {
    const config = compileMutationConfig({
      authorityHost: 'https://a/',
      tokenPath: '/var/run/secrets/azure/wi/token',
    });
    assert.equal(config.mountPath, '/var/run/secrets/azure/wi');
    assert.equal(config.tokenFileName, 'token');
  });

  const invalid: Array<[string, Parameters<typeof compileMutationConfig>[0], RegExp]> = [
    ['http authority', { authorityHost: 'http://credless.local' }, /must be https/],
    ['not a URL', { authorityHost: 'credless' }, /not a URL/],
    ['relative token path', { authorityHost: 'https://a/', tokenPath: 'tokens/t' }, /absolute/],
    ['token path with ..', { authorityHost: 'https://a/', tokenPath: '/var/../t/x' }, /normalized/],
    ['token path at /', { authorityHost: 'https://a/', tokenPath: '/token' }, /inside a directory/],
    ['directory token path', { authorityHost: 'https://a/', tokenPath: '/var/run/' }, /file path/],
    ['empty audience', { authorityHost: 'https://a/', audience: ' ' }, /audience/],
  ];
  for (const [name, options, message] of invalid)
    test(`refused: ${name}`, () => assert.throws(() => compileMutationConfig(options), message));
});
