/**
 * `credless cluster jwks --public-key sa.pub …`: the service-account issuer documents a self-managed
 * cluster (kind, k3s) must host so an STS can verify its tokens — the JWKS and the OpenID discovery
 * document, exactly as kube-apiserver serves them (pkg/serviceaccount/openidmetadata.go):
 * kid = base64url(SHA-256(SPKI DER)), use "sig", alg RS256 for RSA and ES256/384/512 by curve.
 * Private key files are accepted (the public half is derived); private material is never output.
 * @module
 */
import { createHash, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../../exit-codes.ts';

/** A JWK as kube-apiserver publishes it (go-jose member order). */
export interface ClusterJwk {
  use: 'sig';
  kty: 'RSA' | 'EC';
  kid: string;
  alg: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface ClusterDiscovery {
  issuer: string;
  jwks_uri: string;
  response_types_supported: ['id_token'];
  subject_types_supported: ['public'];
  id_token_signing_alg_values_supported: string[];
}

export interface ClusterJwksOptions {
  /** PEM files: public keys, private keys (public half derived) or certificates; several blocks each. */
  publicKey: string[];
  /** Service-account issuer URL (--service-account-issuer); needed for the discovery document. */
  issuer?: string;
  /** Where the JWKS is served (default `<issuer>/openid/v1/jwks`, kube's --service-account-jwks-uri). */
  jwksUri?: string;
  /** Write `openid/v1/jwks` and `.well-known/openid-configuration` here (needs --issuer). */
  outDir?: string;
}

export interface ClusterJwksResult {
  jwks: { keys: ClusterJwk[] };
  discovery?: ClusterDiscovery;
  /** Files written under outDir. */
  files?: string[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const EC_ALG: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** kube-apiserver's keyIDFromPublicKey: base64url (no padding) of SHA-256 over the PKIX DER. */
export function kubernetesKeyId(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

/** The public JWK of one key, or a UsageError naming the file (never its content). */
export function clusterJwk(key: KeyObject, source: string): ClusterJwk {
  const kid = kubernetesKeyId(key);
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType === 'rsa' && jwk.n && jwk.e) {
    return { use: 'sig', kty: 'RSA', kid, alg: 'RS256', n: jwk.n, e: jwk.e };
  }
  const alg = jwk.crv ? EC_ALG[jwk.crv] : undefined;
  if (key.asymmetricKeyType === 'ec' && alg && jwk.x && jwk.y) {
    return { use: 'sig', kty: 'EC', kid, alg, crv: jwk.crv, x: jwk.x, y: jwk.y };
  }
  throw new UsageError(
    `${source}: unsupported key type ${key.asymmetricKeyType}${jwk.crv ? ` (${jwk.crv})` : ''}; ` +
      'Kubernetes signs with RSA or ECDSA P-256/P-384/P-521',
  );
}

/** Every public key in a PEM text (public keys, RSA PUBLIC KEY, private keys, certificates). */
export function publicKeysFromPem(pem: string, source: string): KeyObject[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new UsageError(`${source}: no PEM block found`);
  const keys: KeyObject[] = [];
  for (const [block, label] of blocks) {
    if (label === 'CERTIFICATE') {
      keys.push(new X509Certificate(block).publicKey);
      continue;
    }
    if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(block)) {
      throw new UsageError(`${source}: the private key is encrypted; pass the public key instead`);
    }
    if (!/PUBLIC KEY|PRIVATE KEY/.test(label ?? '')) continue;
    try {
      // createPublicKey derives the public half of a private key; the private key object is not kept.
      keys.push(createPublicKey(block));
    } catch {
      throw new UsageError(`${source}: cannot parse the ${label} PEM block`);
    }
  }
  if (keys.length === 0) throw new UsageError(`${source}: no public or private key in the PEM file`);
  return keys;
}

/** kube-apiserver's default JWKS URI: the issuer with /openid/v1/jwks appended to its path. */
export function defaultJwksUri(issuer: string): string {
  const url = new URL(issuer);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/openid/v1/jwks`;
  return url.toString();
}

function checkIssuer(issuer: string): void {
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (url?.protocol !== 'https:') throw new UsageError(`--issuer: '${issuer}' is not an https URL`);
  if (url.search || url.hash) throw new UsageError('--issuer: must not have a query or fragment');
}

export function buildClusterJwks(keys: ClusterJwk[]): { keys: ClusterJwk[] } {
  const seen = new Set<string>();
  return { keys: keys.filter((key) => !seen.has(key.kid) && seen.add(key.kid)) };
}

export function buildClusterDiscovery(
  issuer: string,
  jwks: { keys: ClusterJwk[] },
  jwksUri = defaultJwksUri(issuer),
): ClusterDiscovery {
  checkIssuer(issuer);
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(jwks.keys.map((key) => key.alg))].sort(),
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o644 });
  await rename(temp, path);
}

export async function clusterJwks(options: ClusterJwksOptions): Promise<ClusterJwksResult> {
  if (options.publicKey.length === 0) throw new UsageError('--public-key: give at least one key file');
  if (options.outDir !== undefined && options.issuer === undefined) {
    throw new UsageError('--out-dir needs --issuer (the discovery document names the issuer)');
  }
  const jwks: ClusterJwk[] = [];
  for (const file of options.publicKey) {
    let pem: Buffer;
    try {
      pem = await readFile(file);
    } catch (error) {
      throw new UsageError(`--public-key: cannot read '${file}' (${(error as NodeJS.ErrnoException).code})`);
    }
    if (pem.length > MAX_KEY_FILE_BYTES) throw new UsageError(`--public-key: '${file}' is larger than 1 MiB`);
    for (const key of publicKeysFromPem(pem.toString('utf8'), file)) jwks.push(clusterJwk(key, file));
  }
  const result: ClusterJwksResult = { jwks: buildClusterJwks(jwks) };
  if (options.issuer !== undefined) {
    result.discovery = buildClusterDiscovery(options.issuer, result.jwks, options.jwksUri);
  }
  if (options.outDir !== undefined && result.discovery) {
    const jwksFile = join(options.outDir, 'openid', 'v1', 'jwks');
    const discoveryFile = join(options.outDir, '.well-known', 'openid-configuration');
    await writeAtomically(jwksFile, JSON.stringify(result.jwks));
    await writeAtomically(discoveryFile, JSON.stringify(result.discovery));
    result.files = [discoveryFile, jwksFile];
  }
  return result;
}
