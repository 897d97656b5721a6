import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { x509 } from '@credless/common';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import { decryptPrivateJwk } from '../../src/keys/key-encryption-key.ts';
import { type Jwks, SigningKeyManager, type SigningKeyStore } from '../../src/keys/signing-key-manager.ts';
import type { SigningKeyRecord } from '../../src/store/directory-store.ts';

/** Test double for the three store methods the manager uses (the real store has its own tests). */
class InMemorySigningKeyStore implements SigningKeyStore {
  readonly records: SigningKeyRecord[] = [];
  listCalls = 0;

  async insertSigningKey(record: SigningKeyRecord): Promise<void> {
    if (this.records.some((r) => r.tenantId === record.tenantId && r.kid === record.kid)) {
      throw new Error(`duplicate kid ${record.kid}`);
    }
    this.records.push(structuredClone(record));
  }

  async listSigningKeys(tenantId: string): Promise<SigningKeyRecord[]> {
    this.listCalls++;
    return this.records.filter((r) => r.tenantId === tenantId).map((r) => structuredClone(r));
  }

  async deleteSigningKey(tenantId: string, kid: string): Promise<void> {
    const index = this.records.findIndex((r) => r.tenantId === tenantId && r.kid === kid);
    if (index >= 0) this.records.splice(index, 1);
  }
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const KEK = new Uint8Array(32).fill(42);
const T0 = Date.UTC(2030, 0, 1);

function setup(options: { store?: InMemorySigningKeyStore; kek?: Uint8Array } = {}) {
  const clock = { now: T0 };
  const store = options.store ?? new InMemorySigningKeyStore();
  const manager = new SigningKeyManager({ store, kek: options.kek ?? KEK, now: () => clock.now });
  return { clock, store, manager };
}

async function signToken(manager: SigningKeyManager, now: number): Promise<string> {
  const { kid, x5t, privateKey } = await manager.getActiveSigningKey(TENANT);
  const iat = Math.floor(now / 1000);
  return new SignJWT({ sub: 'workload' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, x5t })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 90 * 60)
    .sign(privateKey);
}

async function verify(token: string, jwks: Jwks, at: number) {
  const keySet = createLocalJWKSet(structuredClone(jwks) as unknown as JSONWebKeySet);
  return jwtVerify(token, keySet, { algorithms: ['RS256'], currentDate: new Date(at) });
}

const kids = (jwks: Jwks) => jwks.keys.map((k) => k.kid).sort();

describe('SigningKeyManager', () => {
  test('creates one active key and publishes it with kid, x5t and an x5c certificate matching n/e', async () => {
    const { store, manager } = setup();
    await manager.ensureKeys(TENANT);
    await manager.ensureKeys(TENANT);
    assert.equal(store.records.length, 1, 'a second ensureKeys must not add keys');

    const jwks = await manager.getJwks(TENANT);
    assert.equal(jwks.keys.length, 1);
    const key = jwks.keys[0]!;
    const record = store.records[0]!;
    assert.equal(key.kty, 'RSA');
    assert.equal(key.use, 'sig');
    assert.equal(key.kid, key.x5t, 'kid is the certificate thumbprint, as in Entra');
    assert.equal(key.x5c.length, 1);

    // Check the certificate with Node's own X.509 parser, independent of the code under test.
    const der = Buffer.from(key.x5c[0]!, 'base64');
    const cert = new X509Certificate(der);
    const certJwk = cert.publicKey.export({ format: 'jwk' });
    assert.equal(certJwk.n, key.n);
    assert.equal(certJwk.e, key.e);
    assert.equal(Buffer.from(cert.fingerprint.replaceAll(':', ''), 'hex').toString('base64url'), key.x5t);
    assert.equal(cert.subject, `CN=credless token signing ${TENANT}`);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    const parsed = new x509.X509Certificate(der);
    assert.equal(parsed.notBefore.getTime(), record.activateAt.getTime() - HOUR);
    assert.equal(parsed.notAfter.getTime(), record.expireAt.getTime() + DAY);

    assert.deepEqual(
      (await manager.keyStates(TENANT)).map((s) => [s.kid, s.state]),
      [[key.kid, 'active']],
    );
    assert.equal(record.activateAt.getTime(), T0);
    assert.equal(record.retireAt.getTime(), T0 + 30 * DAY);
    assert.equal(record.expireAt.getTime(), T0 + 32 * DAY);
  });

  test('signs RS256 tokens that verify against the published JWKS', async () => {
    const { manager } = setup();
    const token = await signToken(manager, T0);
    const header = decodeProtectedHeader(token);
    const active = await manager.getActiveSigningKey(TENANT);
    assert.equal(header.kid, active.kid);
    const { payload } = await verify(token, await manager.getJwks(TENANT), T0);
    assert.equal(payload.sub, 'workload');
    assert.equal(active.privateKey.type, 'private');
    assert.equal(active.privateKey.asymmetricKeyType, 'rsa');
  });

  test('stores the private key only encrypted', async () => {
    const { store, manager } = setup();
    await manager.ensureKeys(TENANT);
    const listed = await store.listSigningKeys(TENANT);
    const privateJwk = await decryptPrivateJwk(listed[0]!.encryptedPrivateKey, KEK);
    const serialized = JSON.stringify(listed);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      const value = privateJwk[member];
      assert.ok(value && value.length > 20);
      assert.ok(!serialized.includes(value), `private member ${member} must not be stored in clear`);
    }
    assert.deepEqual(Object.keys(listed[0]!.publicJwk).sort(), ['e', 'kty', 'n']);
  });

  test('rotates: prepublish successor, switch, keep the retired key published, then drop it', async () => {
    const { clock, store, manager } = setup();
    await manager.ensureKeys(TENANT);
    const first = await manager.getActiveSigningKey(TENANT);

    clock.now = T0 + 28 * DAY - 1;
    await manager.ensureKeys(TENANT);
    assert.equal(store.records.length, 1, 'no successor before retireAt - prepublishPeriod');

    clock.now = T0 + 28 * DAY;
    await manager.ensureKeys(TENANT);
    assert.equal(store.records.length, 2);
    const successor = store.records.find((r) => r.kid !== first.kid)!;
    assert.equal(
      successor.activateAt.getTime(),
      T0 + 30 * DAY,
      'successor activates when the current key retires',
    );
    assert.deepEqual(kids(await manager.getJwks(TENANT)), [first.kid, successor.kid].sort(), 'prepublished');
    assert.equal(
      (await manager.getActiveSigningKey(TENANT)).kid,
      first.kid,
      'prepublished key does not sign yet',
    );
    assert.deepEqual(
      (await manager.keyStates(TENANT)).map((s) => [s.kid, s.state]),
      [
        [successor.kid, 'prepublished'],
        [first.kid, 'active'],
      ],
    );

    // A token signed a minute before the switch, and the JWKS a verifier fetched at that moment.
    clock.now = T0 + 30 * DAY - MINUTE;
    const lastOldToken = await signToken(manager, clock.now);
    assert.equal(decodeProtectedHeader(lastOldToken).kid, first.kid);
    const jwksCachedByVerifier = await manager.getJwks(TENANT);

    clock.now = T0 + 30 * DAY;
    const next = await manager.getActiveSigningKey(TENANT);
    assert.equal(next.kid, successor.kid, 'switches at activateAt without an explicit ensureKeys');
    assert.deepEqual(
      (await manager.keyStates(TENANT)).map((s) => [s.kid, s.state]),
      [
        [successor.kid, 'active'],
        [first.kid, 'retired'],
      ],
    );
    // The token signed just before rotation verifies, until it expires, with old and fresh JWKS alike.
    const tokenExpiry = T0 + 30 * DAY - MINUTE + 90 * MINUTE;
    for (const at of [T0 + 30 * DAY, tokenExpiry - 1000]) {
      clock.now = at;
      await manager.ensureKeys(TENANT);
      await verify(lastOldToken, jwksCachedByVerifier, at);
      await verify(lastOldToken, await manager.getJwks(TENANT), at);
    }
    // A token from the new key verifies for a verifier still holding the pre-rotation JWKS.
    await verify(await signToken(manager, clock.now), jwksCachedByVerifier, clock.now);

    clock.now = T0 + 32 * DAY - 1;
    await manager.ensureKeys(TENANT);
    assert.deepEqual(kids(await manager.getJwks(TENANT)), [first.kid, successor.kid].sort());

    clock.now = T0 + 32 * DAY;
    assert.deepEqual(
      kids(await manager.getJwks(TENANT)),
      [successor.kid],
      'expired keys leave the JWKS at once',
    );
    await manager.ensureKeys(TENANT);
    assert.deepEqual(
      store.records.map((r) => r.kid),
      [successor.kid],
      'expired key deleted',
    );

    clock.now = T0 + 58 * DAY;
    await manager.ensureKeys(TENANT);
    assert.equal(store.records.length, 2, 'the next successor is prepublished in turn');
  });

  test('a late ensureKeys (after retireAt) activates the successor immediately', async () => {
    const { clock, store, manager } = setup();
    await manager.ensureKeys(TENANT);
    const first = store.records[0]!;
    clock.now = T0 + 31 * DAY;
    assert.equal(
      (await manager.getActiveSigningKey(TENANT)).kid,
      first.kid,
      'still the latest activated key',
    );
    await manager.ensureKeys(TENANT);
    const successor = store.records.find((r) => r.kid !== first.kid)!;
    assert.equal(successor.activateAt.getTime(), clock.now);
    assert.equal((await manager.getActiveSigningKey(TENANT)).kid, successor.kid);
  });

  test('getActiveSigningKey creates the first key on demand and serves from memory afterwards', async () => {
    const { clock, store, manager } = setup();
    const active = await manager.getActiveSigningKey(TENANT);
    assert.equal(store.records.length, 1);
    const calls = store.listCalls;
    clock.now = T0 + 2 * MINUTE;
    for (let i = 0; i < 5; i++) assert.equal(await manager.getActiveSigningKey(TENANT), active);
    assert.equal(store.listCalls, calls, 'no store reads on the hot path');
    clock.now = T0 + 10 * MINUTE;
    assert.equal(await manager.getActiveSigningKey(TENANT), active, 'refresh keeps the decrypted key');
    assert.equal(store.listCalls, calls + 1, 'the cache is re-validated against the store after its max age');
  });

  test('keeps tenants apart', async () => {
    const { store, manager } = setup();
    const a = await manager.getActiveSigningKey(TENANT);
    const b = await manager.getActiveSigningKey(OTHER_TENANT);
    assert.notEqual(a.kid, b.kid);
    assert.deepEqual(kids(await manager.getJwks(TENANT)), [a.kid]);
    assert.deepEqual(kids(await manager.getJwks(OTHER_TENANT)), [b.kid]);
    assert.equal(store.records.find((r) => r.kid === b.kid)?.tenantId, OTHER_TENANT);
    const cert = new X509Certificate(
      Buffer.from(store.records.find((r) => r.kid === b.kid)!.certificate, 'base64'),
    );
    assert.equal(cert.subject, `CN=credless token signing ${OTHER_TENANT}`);
  });

  test('two managers racing on one store both insert a key yet agree on the active kid', async () => {
    const store = new InMemorySigningKeyStore();
    const one = setup({ store });
    const two = setup({ store });
    await Promise.all([one.manager.ensureKeys(TENANT), two.manager.ensureKeys(TENANT)]);
    assert.equal(store.records.length, 2, 'both processes created an initial key');

    const [a, b] = await Promise.all([
      one.manager.getActiveSigningKey(TENANT),
      two.manager.getActiveSigningKey(TENANT),
    ]);
    assert.equal(a.kid, b.kid);
    assert.deepEqual(kids(await one.manager.getJwks(TENANT)), kids(await two.manager.getJwks(TENANT)));
    const states = (await one.manager.keyStates(TENANT)).map((s) => s.state).sort();
    assert.deepEqual(states, ['active', 'retired']);
    assert.deepEqual(await one.manager.keyStates(TENANT), await two.manager.keyStates(TENANT));
  });

  test('invalidate makes a manager see keys written by another process', async () => {
    const store = new InMemorySigningKeyStore();
    const writer = setup({ store });
    const reader = setup({ store });
    await writer.manager.ensureKeys(TENANT);
    const before = kids(await reader.manager.getJwks(TENANT));
    assert.equal(before.length, 1);

    // The writer runs ahead to prepublish a successor; the reader stays within its cache's max age.
    writer.clock.now = T0 + 28 * DAY;
    reader.clock.now = T0 + MINUTE;
    await writer.manager.ensureKeys(TENANT);
    assert.deepEqual(kids(await reader.manager.getJwks(TENANT)), before, 'served from cache');
    reader.manager.invalidate(TENANT);
    assert.equal(kids(await reader.manager.getJwks(TENANT)).length, 2);
  });

  test('a manager with a different KEK cannot use the stored keys', async () => {
    const store = new InMemorySigningKeyStore();
    await setup({ store }).manager.ensureKeys(TENANT);
    const intruder = setup({ store, kek: new Uint8Array(32).fill(7) });
    await assert.rejects(intruder.manager.getActiveSigningKey(TENANT), /key-encryption key does not match/);
  });

  test('refuses a retention shorter than token lifetime plus JWKS cache TTL', () => {
    const store = new InMemorySigningKeyStore();
    assert.throws(
      () => new SigningKeyManager({ store, kek: KEK, retentionAfterRetireMs: 24 * HOUR }),
      /retentionAfterRetireMs .* must be at least maxTokenLifetimeMs \+ jwksCacheTtlMs/,
    );
    assert.throws(
      () =>
        new SigningKeyManager({
          store,
          kek: KEK,
          retentionAfterRetireMs: 3 * DAY,
          maxTokenLifetimeMs: 2 * DAY,
          jwksCacheTtlMs: 2 * DAY,
        }),
      /retentionAfterRetireMs/,
    );
    assert.throws(
      () => new SigningKeyManager({ store, kek: KEK, prepublishPeriodMs: HOUR }),
      /prepublishPeriodMs/,
    );
    assert.throws(() => new SigningKeyManager({ store, kek: new Uint8Array(16) }), /32 bytes/);
    // Short-lived everything is fine as long as the sums hold.
    new SigningKeyManager({
      store,
      kek: KEK,
      rotationPeriodMs: 2 * HOUR,
      prepublishPeriodMs: 10 * MINUTE,
      retentionAfterRetireMs: 30 * MINUTE,
      maxTokenLifetimeMs: 10 * MINUTE,
      jwksCacheTtlMs: 10 * MINUTE,
    });
  });
});
