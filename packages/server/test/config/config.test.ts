import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConfigError,
  loadAddressConfig,
  loadConfig,
  loadInProcessConfig,
  loadStorageConfig,
  resolveDataDir,
} from '../../src/config.ts';

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

  test('flags go through the same format rules as their variables', () => {
    assert.equal(
      loadConfig({}, { publicUrl: 'https://sts.example.com/' }).publicUrl,
      'https://sts.example.com',
    );
    assert.throws(() => loadConfig({}, { publicUrl: 'sts' }), /CREDLESS_PUBLIC_URL is not a URL/);
  });
});

describe("the CLI's subsets of the server configuration", () => {
  // A server setting the CLI does not use must not stop `credless ad app list --data-dir …`.
  const env = {
    CREDLESS_TOKEN_LIFETIME_MIN: '100000',
    CREDLESS_DATA_DIR: 'from-env',
    CREDLESS_FIC_LIMIT: 'none',
    CREDLESS_PORT: '9443',
  };

  test('storage: data directory, database, KEK, default tenant, credential limit', () => {
    assert.throws(() => loadConfig(env), /CREDLESS_TOKEN_LIFETIME_MIN/);
    assert.deepEqual(loadStorageConfig(env, { databaseUrl: 'postgres://db/x' }), {
      dataDir: resolve('from-env'),
      databaseUrl: 'postgres://db/x',
      kek: undefined,
      ficLimitPerApp: null,
      defaultTenant: { domain: 'credless.local', displayName: 'Credless Local' },
    });
  });

  test("address: the local server's URLs", () => {
    const address = loadAddressConfig(env, { dataDir: 'flag' });
    assert.equal(address.port, 9443);
    assert.equal(address.dataDir, 'flag');
    assert.equal(address.publicUrl, undefined);
  });

  test('in-process: storage, address and key lifecycle from the environment, the rest at defaults', () => {
    const config = loadInProcessConfig({ ...env, CREDLESS_KEY_ROTATION_DAYS: '7' }, { dataDir: 'flag' });
    assert.deepEqual(config.tokenLifetimeSeconds, loadConfig({}).tokenLifetimeSeconds);
    assert.equal(config.signingKeys.rotationPeriodMs, 7 * 24 * 60 * 60 * 1000);
    assert.equal(config.port, 9443);
    assert.equal(config.dataDir, 'flag');
    assert.throws(() => loadInProcessConfig({ CREDLESS_KEY_ROTATION_DAYS: '2' }), /PREPUBLISH_DAYS/);
  });

  const dataDirs: Array<[string, NodeJS.ProcessEnv, string | undefined, string]> = [
    ['the flag first', env, 'flag', 'flag'],
    ['then CREDLESS_DATA_DIR', env, undefined, resolve('from-env')],
    ['then ./.credless', {}, undefined, resolve('.credless')],
  ];
  for (const [which, environment, flag, expected] of dataDirs)
    test(`data directory: ${which}`, () => assert.equal(resolveDataDir(environment, flag), expected));

  test('a subset still refuses a bad value of its own', () => {
    assert.throws(
      () => loadStorageConfig({ CREDLESS_FIC_LIMIT: '0' }),
      /CREDLESS_FIC_LIMIT must be an integer/,
    );
  });
});
