import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Closers } from '../../src/start/closers.ts';
import { PublicUrls } from '../../src/start/public-urls.ts';

describe('start-up stages', () => {
  test('what the stages opened closes last opened first, once', async () => {
    const closed: string[] = [];
    const closers = new Closers();
    assert.equal(await closers.open({ value: 'store', close: () => void closed.push('store') }), 'store');
    await closers.open(Promise.resolve({ value: undefined }));
    await closers.open(Promise.resolve({ value: 1, close: async () => void closed.push('app') }));
    await closers.closeAll();
    await closers.closeAll();
    assert.deepEqual(closed, ['app', 'store']);
  });

  test('a failing stage leaves the earlier ones to close', async () => {
    const closed: string[] = [];
    const closers = new Closers();
    await closers.open({ value: 'store', close: () => void closed.push('store') });
    await assert.rejects(closers.open(Promise.reject(new Error('keys'))), /keys/);
    await closers.closeAll();
    assert.deepEqual(closed, ['store']);
  });
});

describe('public URLs', () => {
  const base = { publicUrl: undefined, graphBaseUrl: undefined, insecureHttp: false, port: 8443 };
  const cases: Array<[string, ConstructorParameters<typeof PublicUrls>[0], number, string, string]> = [
    [
      'configured',
      { ...base, publicUrl: 'https://sts.example.com' },
      1,
      'https://sts.example.com',
      'https://sts.example.com/v1.0',
    ],
    ['from the configured port', base, 8443, 'https://localhost:8443', 'https://localhost:8443/v1.0'],
    [
      'from the port listened on (port 0)',
      { ...base, port: 0, insecureHttp: true },
      4321,
      'http://localhost:4321',
      'http://localhost:4321/v1.0',
    ],
    [
      'a configured Graph URL',
      { ...base, graphBaseUrl: 'https://graph.example/v1.0' },
      8443,
      'https://localhost:8443',
      'https://graph.example/v1.0',
    ],
  ];
  for (const [which, config, port, baseUrl, graphUrl] of cases)
    test(which, () => {
      const urls = new PublicUrls(config);
      urls.listened(port);
      assert.equal(urls.baseUrl(), baseUrl);
      assert.equal(urls.graphUrl(), graphUrl);
    });

  test('with port 0 the base URL is not read before listening', () => {
    assert.throws(() => new PublicUrls({ ...base, port: 0 }).baseUrl(), /before the server listens/);
  });
});
