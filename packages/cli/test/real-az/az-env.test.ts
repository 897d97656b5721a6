/**
 * `credless az-env`: the hosts entries, CA bundle, serve and login lines that point the real az at
 * credless, in each output format; bad options are usage errors. (real-az.test.ts runs what it prints.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AZ_HOSTNAMES, azEnvironment, formatAzEnv } from '../../src/commands/az-env.ts';
import { UsageError } from '../../src/exit-codes.ts';

describe('credless az-env', () => {
  const env = azEnvironment({ dataDir: '/srv/credless', tenant: 'tid-1', clientId: 'app-1' });

  test('names every host az calls, the CA bundle and the serve and login lines', () => {
    assert.deepEqual(env.hosts, [...AZ_HOSTNAMES]);
    assert.equal(env.hostsLine, `127.0.0.1 ${AZ_HOSTNAMES.join(' ')}`);
    assert.equal(env.environment['REQUESTS_CA_BUNDLE'], '/srv/credless/tls/ca.crt');
    assert.match(env.serve, /^credless up --port 443 .*--public-url https:\/\/login\.microsoftonline\.com /);
    for (const host of AZ_HOSTNAMES) assert.ok(env.serve.includes(`--hostname ${host}`), host);
    assert.match(
      env.login,
      /^az login --service-principal -u app-1 --tenant tid-1 --federated-token "\$\(curl /,
    );
    assert.doesNotMatch(env.login, /--allow-no-subscriptions/);
  });

  test('another port goes into the public URL', () => {
    const other = azEnvironment({ dataDir: 'rel', port: 8443 });
    assert.match(other.serve, /--port 8443 .*--public-url https:\/\/login\.microsoftonline\.com:8443 /);
    assert.match(other.login, /-u '<client-id>' --tenant '<tenant-id>'/);
  });

  const formats: Array<{ format: string | undefined; has: RegExp[] }> = [
    {
      format: undefined,
      has: [/^export REQUESTS_CA_BUNDLE=\/srv\/credless\/tls\/ca\.crt$/m, /^# .*credless up/m],
    },
    { format: 'shell', has: [/^export AZURE_CORE_COLLECT_TELEMETRY=false$/m, /^# {4}127\.0\.0\.1 login\./m] },
    {
      format: 'github',
      has: [/sudo tee -a \/etc\/hosts/, /^echo REQUESTS_CA_BUNDLE=.* >> "\$GITHUB_ENV"$/m],
    },
    { format: 'json', has: [/^\{\n {2}"hosts": \[/, /"hostsLine": "127\.0\.0\.1 login/] },
  ];
  for (const { format, has } of formats) {
    test(`-o ${format ?? '(default)'}`, () => {
      const text = formatAzEnv(env, format);
      for (const pattern of has) assert.match(text, pattern);
      if (format === 'json') assert.deepEqual(JSON.parse(text), env);
    });
  }

  const bad: Array<{ name: string; run: () => unknown }> = [
    { name: 'unknown output format', run: () => formatAzEnv(env, 'xml') },
    { name: 'port 0', run: () => azEnvironment({ dataDir: 'x', port: 0 }) },
    { name: 'port out of range', run: () => azEnvironment({ dataDir: 'x', port: 70000 }) },
  ];
  for (const { name, run } of bad) {
    test(`usage error: ${name}`, () => assert.throws(run, UsageError));
  }
});
