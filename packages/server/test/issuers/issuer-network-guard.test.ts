import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { fetchCappedJson } from '../../src/issuers/fetch-capped-json.ts';
import { ISSUER_KEYS_UNAVAILABLE, IssuerKeyCache } from '../../src/issuers/issuer-key-cache.ts';
import {
  createIssuerAgent,
  guardedLookup,
  isBlockedIssuerAddress,
  type ResolveHost,
} from '../../src/issuers/issuer-network-guard.ts';

// Only loopback addresses are ever connection targets here; other addresses appear only in answers
// the guard must refuse, or in lookups that open no socket.

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

/** A TCP listener on loopback that counts every connection it accepts. */
async function countingListener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** The caller-visible error text with the issuer (which the caller sent) masked out. */
async function callerError(cache: IssuerKeyCache, issuer: string): Promise<string> {
  try {
    await cache.getVerificationKey(issuer, 'kid', 'RS256');
  } catch (error) {
    assert.ok(error instanceof CredlessError, `${issuer}: expected CredlessError, got ${String(error)}`);
    assert.equal(error.code, 'external_oidc_failed', issuer);
    assert.equal(error.params['reason'], ISSUER_KEYS_UNAVAILABLE, issuer);
    return error.message.replace(issuer, '<issuer>');
  }
  assert.fail(`${issuer}: a key was returned`);
}

describe('issuer network guard: nothing reaches a refused address', { timeout: 30_000 }, () => {
  let target: Awaited<ReturnType<typeof countingListener>>;
  let closedPort: number;
  let redirector: TestOidcIssuer;

  before(async () => {
    target = await countingListener();
    const closed = await countingListener();
    closedPort = closed.port;
    await new Promise((resolve) => closed.server.close(resolve));
    redirector = await startTestOidcIssuer();
  });
  after(async () => {
    await new Promise((resolve) => target.server.close(resolve));
    await redirector.close();
  });

  /** Test DNS: these names answer with the listed addresses; any other name is not found. */
  const answers: Record<string, LookupAddress[]> = {
    'loopback.issuer.test': [v4('127.0.0.1')],
    'mapped.issuer.test': [v6('::ffff:127.0.0.1')],
    // Loopback is allowed under the lenient policy; the link-local second answer must still refuse it.
    'mixed.issuer.test': [v4('127.0.0.1'), v4('169.254.169.254')],
  };
  const resolve: ResolveHost = async (hostname) => {
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`test DNS: ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
  const cacheWith = (agentOptions: Parameters<typeof createIssuerAgent>[0]) =>
    new IssuerKeyCache({
      fetchOptions: { dispatcher: createIssuerAgent({ resolve, ...agentOptions }), timeoutMs: 2000 },
      isIssuerAllowed: async () => true,
    });

  test('every refused or failed fetch makes zero connections and one caller text', async () => {
    const strict = cacheWith({});
    const lenient = cacheWith({ blockPrivateNetworks: false, ca: redirector.caCertPem });
    const port = target.port;
    const cases: Array<[string, IssuerKeyCache, string]> = [
      ['host name resolving to loopback', strict, `https://loopback.issuer.test:${port}`],
      ['host name resolving to IPv4-mapped loopback', strict, `https://mapped.issuer.test:${port}`],
      ['several answers, one of them refused', lenient, `https://mixed.issuer.test:${port}`],
      ['IPv4-mapped IPv6 literal', strict, `https://[::ffff:127.0.0.1]:${port}`],
      ['IPv4-mapped IPv6 literal, hex form', strict, `https://[::ffff:7f00:1]:${port}`],
      ['decimal IPv4', strict, `https://2130706433:${port}`],
      ['decimal IPv4 over http', strict, 'http://2130706433/'],
      ['octal IPv4', strict, `https://0177.0.0.1:${port}`],
      ['hex IPv4', strict, `https://0x7f.1:${port}`],
      ['loopback literal', strict, `https://127.0.0.1:${port}`],
      ['IPv6 loopback literal', strict, `https://[::1]:${port}`],
      [
        'localhost through the system resolver',
        cacheWith({ resolve: undefined }),
        `https://localhost:${port}`,
      ],
      ['name that does not resolve', strict, `https://missing.issuer.test:${port}`],
      // Allowed network, but nothing listens: a port scanner would read ECONNREFUSED here.
      ['closed port', lenient, `https://127.0.0.1:${closedPort}`],
    ];
    const texts = new Set<string>();
    for (const [name, cache, issuer] of cases) {
      texts.add(await callerError(cache, issuer));
      assert.equal(target.connections(), 0, `${name}: connected`);
    }

    // A redirect to the counting listener is not followed (the redirecting issuer itself is allowed).
    redirector.setFault('redirect', {
      redirectTo: `https://127.0.0.1:${port}/.well-known/openid-configuration`,
    });
    texts.add(await callerError(lenient, redirector.issuer));
    assert.equal(target.connections(), 0, 'redirect: connected');
    assert.ok(redirector.requests.length > 0, 'the redirecting issuer was asked');

    // An open port that does not speak TLS (the listener counts this one: the address is allowed).
    texts.add(await callerError(lenient, `https://127.0.0.1:${port}`));
    assert.equal(target.connections(), 1);

    assert.deepEqual(
      [...texts],
      [`Request to External OIDC endpoint failed. Issuer '<issuer>': ${ISSUER_KEYS_UNAVAILABLE}`],
    );
  });

  test('an allowed name is resolved once and connected by its checked address, with SNI of the name', async () => {
    redirector.setFault(null);
    const asked: string[] = [];
    const agent = createIssuerAgent({
      blockPrivateNetworks: false,
      ca: redirector.caCertPem,
      resolve: async (hostname) => {
        asked.push(hostname);
        return [v4('127.0.0.1')];
      },
    });
    try {
      // The certificate names localhost and 127.0.0.1: the handshake passes only with SNI "localhost".
      const url = redirector.discoveryUrl.replace('127.0.0.1', 'localhost');
      const document = await fetchCappedJson(url, { dispatcher: agent, timeoutMs: 2000, maxBytes: 65536 });
      assert.equal((document as { issuer?: string }).issuer, redirector.issuer);
      assert.deepEqual(asked, ['localhost']);
    } finally {
      await agent.close();
    }
  });
});

describe('guardedLookup (no socket is opened)', () => {
  const lookupWith = (policy: { blockPrivateNetworks: boolean }, addresses: LookupAddress[], all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
      guardedLookup(policy, async () => addresses)('issuer.test', { all }, (error, address) =>
        resolve({ error, address }),
      ),
    );

  test('one refused address among public ones refuses the whole answer', async () => {
    for (const addresses of [
      [v4('20.190.128.1'), v4('10.0.0.7')],
      [v4('20.190.128.1'), v6('::ffff:192.168.0.1')],
      [v6('2606:4700::1111'), v6('fd00::1')],
    ]) {
      for (const all of [false, true]) {
        const { error } = await lookupWith({ blockPrivateNetworks: true }, addresses, all);
        assert.equal(error?.code, 'ADDRESS_BLOCKED', JSON.stringify(addresses));
      }
    }
  });

  test('an answer that passes is handed over as checked', async () => {
    const addresses = [v4('20.190.128.1'), v6('2606:4700::1111')];
    assert.deepEqual(await lookupWith({ blockPrivateNetworks: true }, addresses, true), {
      error: null,
      address: addresses,
    });
    assert.deepEqual(await lookupWith({ blockPrivateNetworks: true }, addresses, false), {
      error: null,
      address: '20.190.128.1',
    });
  });
});

describe('isBlockedIssuerAddress', () => {
  const strict = { blockPrivateNetworks: true };
  const lenient = { blockPrivateNetworks: false };

  test('special-use addresses are always blocked', () => {
    for (const address of [
      '169.254.169.254', // cloud metadata (link-local)
      '::ffff:169.254.169.254',
      '0.0.0.0',
      '0.1.2.3',
      '224.0.0.1', // multicast
      '255.255.255.255',
      '240.0.0.1', // reserved
      '192.0.0.8',
      '192.0.2.1', // documentation
      '198.18.0.1', // benchmarking
      'fe80::1',
      '::',
      'ff02::1',
      '2001:db8::1',
      '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '2001:0:4136:e378::1', // Teredo
    ]) {
      assert.equal(isBlockedIssuerAddress(address, lenient), true, address);
    }
  });

  test('loopback, private and CGNAT ranges are blocked only when asked', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '100.127.255.254',
      '::1',
      'fd00::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isBlockedIssuerAddress(address, strict), true, address);
      assert.equal(isBlockedIssuerAddress(address, lenient), false, address);
    }
  });

  test('public addresses pass; anything not a canonical address does not', () => {
    for (const address of ['20.190.128.1', '140.82.112.3', '2606:4700::1111', '172.32.0.1', '100.128.0.1']) {
      assert.equal(isBlockedIssuerAddress(address, strict), false, address);
    }
    for (const address of ['', 'localhost', '2130706433', '0177.0.0.1', '0x7f.1', '127.1']) {
      assert.equal(isBlockedIssuerAddress(address, lenient), true, address);
    }
  });
});
