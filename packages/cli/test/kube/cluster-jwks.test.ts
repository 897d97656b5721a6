/**
 * `credless cluster jwks`: kube-apiserver's kid, JWKS and discovery layout, accepted by credless's own
 * JWKS parser and usable to verify tokens signed with the cluster's private key.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCertificateAuthority } from '@credless/common';
import { readJwks } from '@credless/core';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { clusterJwks, kubernetesKeyId } from '../../src/commands/kube/cluster-jwks.ts';
import { EXIT, UsageError } from '../../src/exit-codes.ts';
import { runBinary } from '../run-binary.ts';

// A fixed P-256 key; its kid computed outside node (openssl ec -pubout -outform DER | sha256 | base64url).
const VECTOR_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2qz8gMx4QSoSYN0xlRv1CFD1SKuV
/T4YnkW4bJ04KE5t26wpfts5vjUw47wyqlgN6MozPfiWnCzFiCsFVyRH2w==
-----END PUBLIC KEY-----
`;
const VECTOR_KID = '0-67_Q6P-bn9VqygtZ7CKq8E_QCqluApQJ7ArpDE8MQ';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Independent computation: SHA-256 over the SPKI DER, base64url without padding. */
const expectedKid = (key: KeyObject) =>
  createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

let dir: string;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const files: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credless-jwks-'));
  const write = async (name: string, text: string) => {
    files[name] = join(dir, name);
    await writeFile(files[name], text);
  };
  await write('vector.pub', VECTOR_PEM);
  await write('sa.pub', rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  await write('sa-pkcs1.pub', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  await write('sa.key', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  await write('ec.key', ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string);
  await write(
    'both.pem',
    `${ec384.publicKey.export({ type: 'spki', format: 'pem' })}${ec.publicKey.export({ type: 'spki', format: 'pem' })}`,
  );
  await write(
    'ed.pub',
    generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string,
  );
  await write(
    'encrypted.key',
    rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string,
  );
  await write('ca.crt', (await createCertificateAuthority({ commonName: 'test' })).certPem);
  await write('garbage.pem', 'not a key\n');
});
after(() => rm(dir, { recursive: true, force: true }));

describe('kid', () => {
  test('matches the known vector computed with openssl', async () => {
    const { jwks } = await clusterJwks({ publicKey: [files['vector.pub']!] });
    assert.equal(jwks.keys[0]?.kid, VECTOR_KID);
  });

  test('is base64url(SHA-256(SPKI DER)) for RSA and EC, the same from public, PKCS#1 or private PEM', async () => {
    const rsaKid = expectedKid(rsa.publicKey);
    assert.equal(kubernetesKeyId(rsa.publicKey), rsaKid);
    for (const name of ['sa.pub', 'sa-pkcs1.pub', 'sa.key']) {
      const { jwks } = await clusterJwks({ publicKey: [files[name]!] });
      assert.deepEqual(
        jwks.keys.map((key) => [key.kid, key.alg, key.kty, key.use]),
        [[rsaKid, 'RS256', 'RSA', 'sig']],
        name,
      );
    }
    const { jwks } = await clusterJwks({ publicKey: [files['ec.key']!] });
    assert.deepEqual(
      jwks.keys.map((key) => [key.kid, key.alg, key.crv]),
      [[expectedKid(ec.publicKey), 'ES256', 'P-256']],
    );
  });
});

describe('JWKS', () => {
  test('several files and blocks, duplicates once, curves mapped as kube does', async () => {
    const { jwks } = await clusterJwks({
      publicKey: [files['sa.pub']!, files['sa.key']!, files['both.pem']!, files['ca.crt']!],
    });
    assert.deepEqual(
      jwks.keys.map((key) => key.alg),
      ['RS256', 'ES384', 'ES256', 'ES256'],
    );
  });

  test('never carries private material, even from private key files', async () => {
    const { jwks } = await clusterJwks({ publicKey: [files['sa.key']!, files['ec.key']!] });
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) assert.equal(member in key, false, member);
    }
  });

  test("is accepted by credless's JWKS parser and verifies tokens signed with the private keys", async () => {
    const { jwks } = await clusterJwks({ publicKey: [files['sa.key']!, files['ec.key']!] });
    const parsed = readJwks(jwks);
    assert.ok(!('problem' in parsed), JSON.stringify(parsed));
    assert.equal(parsed.skippedKeys, 0);
    assert.deepEqual(
      parsed.keys.map((key) => key.kid),
      jwks.keys.map((key) => key.kid),
    );
    const keySet = createLocalJWKSet(jwks as never);
    for (const [privateKey, alg, kid] of [
      [rsa.privateKey, 'RS256', expectedKid(rsa.publicKey)],
      [ec.privateKey, 'ES256', expectedKid(ec.publicKey)],
    ] as const) {
      const token = await new SignJWT({ sub: 'system:serviceaccount:default:workload' })
        .setProtectedHeader({ alg, kid })
        .setIssuer('https://cluster.example')
        .setAudience('api://AzureADTokenExchange')
        .setExpirationTime('1h')
        .sign(privateKey);
      const { payload } = await jwtVerify(token, keySet, { issuer: 'https://cluster.example' });
      assert.equal(payload.sub, 'system:serviceaccount:default:workload');
    }
    // A key the JWKS does not hold is refused.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: expectedKid(rsa.publicKey) })
      .sign(stranger.privateKey);
    await assert.rejects(jwtVerify(forged, keySet), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});

describe('discovery and --out-dir', () => {
  test('writes the layout kube serves', async () => {
    const outDir = join(dir, 'out');
    const issuer = 'https://oidc.example.com/cluster-1';
    const result = await clusterJwks({ publicKey: [files['sa.pub']!, files['ec.key']!], issuer, outDir });
    const discovery = JSON.parse(await readFile(join(outDir, '.well-known', 'openid-configuration'), 'utf8'));
    assert.deepEqual(discovery, {
      issuer,
      jwks_uri: 'https://oidc.example.com/cluster-1/openid/v1/jwks',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    });
    const jwks = JSON.parse(await readFile(join(outDir, 'openid', 'v1', 'jwks'), 'utf8'));
    assert.deepEqual(jwks, result.jwks);
  });

  test('a trailing-slash issuer keeps its slash in the discovery and a single slash in jwks_uri', async () => {
    const { discovery } = await clusterJwks({
      publicKey: [files['sa.pub']!],
      issuer: 'https://oidc.example/',
    });
    assert.equal(discovery?.issuer, 'https://oidc.example/');
    assert.equal(discovery?.jwks_uri, 'https://oidc.example/openid/v1/jwks');
  });
});

describe('bad input', () => {
  for (const [name, options, message] of [
    ['no key files', { publicKey: [] }, /at least one/],
    ['unreadable file', { publicKey: ['/nonexistent/sa.pub'] }, /cannot read/],
    ['no PEM block', { publicKey: ['garbage.pem'] }, /no PEM block/],
    ['Ed25519 (kube cannot sign with it)', { publicKey: ['ed.pub'] }, /unsupported key type ed25519/],
    ['an encrypted private key', { publicKey: ['encrypted.key'] }, /encrypted/],
    ['--out-dir without --issuer', { publicKey: ['sa.pub'], outDir: 'x' }, /needs --issuer/],
    ['an http issuer', { publicKey: ['sa.pub'], issuer: 'http://oidc.example' }, /not an https URL/],
  ] as const) {
    test(`refuses ${name}`, async () => {
      const publicKey = options.publicKey.map((file) => files[file] ?? file);
      await assert.rejects(clusterJwks({ ...options, publicKey }), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('the binary exits 2 and prints no key material for an unparsable key', async () => {
    const broken = join(dir, 'broken.key');
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFile(broken, pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!'));
    const run = await runBinary(['cluster', 'jwks', '--public-key', broken]);
    assert.equal(run.code, EXIT.invalidInput, run.stderr);
    assert.match(run.stderr, /cannot parse the PRIVATE KEY PEM block/);
    assert.doesNotMatch(run.stderr + run.stdout, /MII/);
  });

  test('the binary prints the JWKS', async () => {
    const run = await runBinary(['cluster', 'jwks', '--public-key', files['vector.pub']!]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.equal(JSON.parse(run.stdout).keys[0].kid, VECTOR_KID);
  });
});
