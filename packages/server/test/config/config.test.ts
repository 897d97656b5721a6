import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  test('defaults: SQLite in ./.credless, port 8443, 20 credentials per app, 60–90 minute tokens', () => {
    const config = loadConfig({});
    assert.match(config.dataDir, /\.credless$/);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.port, 8443);
    assert.equal(config.insecureHttp, false);
    assert.equal(config.ficLimitPerApp, 20);
    assert.deepEqual(config.tokenLifetimeSeconds, { min: 3600, max: 5400 });
    assert.equal(config.issuerFetch.allowPrivateNetworks, false);
    assert.equal(config.adminBootstrap, true);
    assert.equal(config.signInLog.enabled, true);
  });

  test('the administrator bootstrap and sign-in logs can be turned off', () => {
    const config = loadConfig({ CREDLESS_ADMIN_BOOTSTRAP: 'false', CREDLESS_SIGNIN_LOG: 'false' });
    assert.equal(config.adminBootstrap, false);
    assert.equal(config.signInLog.enabled, false);
  });

  test('environment values are parsed; overrides win', () => {
    const config = loadConfig(
      {
        CREDLESS_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        CREDLESS_PORT: '9443',
        CREDLESS_FIC_LIMIT: 'none',
        CREDLESS_HOSTNAMES: 'sts.example.com, credless.internal',
        CREDLESS_INSECURE_HTTP: 'true',
        CREDLESS_PUBLIC_URL: 'https://sts.example.com/',
      },
      { port: 0 },
    );
    assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(config.port, 0);
    assert.equal(config.ficLimitPerApp, null);
    assert.deepEqual(config.hostnames, ['sts.example.com', 'credless.internal']);
    assert.equal(config.insecureHttp, true);
    assert.equal(config.publicUrl, 'https://sts.example.com');
  });

  const invalid: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['a port that is not a number', { CREDLESS_PORT: 'http' }, /CREDLESS_PORT must be an integer/],
    ['a port out of range', { CREDLESS_PORT: '70000' }, /between 0 and 65535/],
    ['a flag that is not boolean', { CREDLESS_INSECURE_HTTP: 'yes' }, /true or false/],
    ['an unknown log level', { CREDLESS_LOG_LEVEL: 'loud' }, /CREDLESS_LOG_LEVEL/],
    [
      'min lifetime above max',
      { CREDLESS_TOKEN_LIFETIME_MIN: '5000', CREDLESS_TOKEN_LIFETIME_MAX: '4000' },
      /MIN/,
    ],
    ['a public URL with a path', { CREDLESS_PUBLIC_URL: 'https://sts.example.com/tenant' }, /no path/],
    ['a public URL that is not a URL', { CREDLESS_PUBLIC_URL: 'sts' }, /not a URL/],
    [
      'prepublish as long as rotation',
      { CREDLESS_KEY_ROTATION_DAYS: '2' },
      /PREPUBLISH_DAYS must be shorter/,
    ],
    [
      'retention shorter than lifetime + a day',
      { CREDLESS_KEY_RETENTION_DAYS: '1' },
      /RETENTION_DAYS must cover/,
    ],
  ];
  for (const [name, env, message] of invalid) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
