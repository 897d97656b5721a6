/**
 * The tenant administrator identity of the local CLI: an application `credless-local-admin` in the
 * default tenant holding the Graph roles that manage credless, which proves itself the way Entra
 * applications do with certificates — a client assertion signed by a private key whose certificate is
 * one of the application's `keyCredentials`. The private key never leaves the data directory
 * (`<data>/admin/admin-key.pem`, 0600); the store holds only the certificate.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { x509 } from '@credless/common';
import {
  type Application,
  CredlessError,
  GRAPH_APP_ID,
  GRAPH_APP_ROLES,
  type KeyCredentialInput,
} from '@credless/core';
import { importPKCS8, SignJWT } from 'jose';
import { SIGNING_ALGORITHM } from '../keys/signing-key-certificate.ts';
import type { DirectoryStore } from '../store/directory-store.ts';

export const ADMIN_APP_NAME = 'credless-local-admin';
/** What the administrator may do through the Graph-compatible API (sign-in logs, issuer policy too). */
export const ADMIN_ROLES = [
  'Application.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'Group.ReadWrite.All',
  'Organization.Read.All',
  'Organization.ReadWrite.All',
  'AuditLog.Read.All',
  'Policy.ReadWrite.ApplicationConfiguration',
] as const;
const CERTIFICATE_DAYS = 730;
const DAY_MS = 86_400_000;
const ASSERTION_LIFETIME_SECONDS = 300;
const isWindows = process.platform === 'win32';

/** `<data>/admin/admin.json`: which application and certificate the key belongs to. */
export interface AdminIdentityFile {
  tenantId: string;
  clientId: string;
  keyId: string;
  /** base64url SHA-1 of the certificate: the assertion header's `x5t`. */
  x5t: string;
}

export interface AdminIdentity extends AdminIdentityFile {
  privateKeyPem: string;
}

export const adminPaths = (dataDir: string) => {
  const dir = join(dataDir, 'admin');
  return {
    dir,
    key: join(dir, 'admin-key.pem'),
    certificate: join(dir, 'admin-cert.pem'),
    info: join(dir, 'admin.json'),
  };
};

interface GeneratedKey {
  privateKeyPem: string;
  certificatePem: string;
  /** Base64 DER, for keyCredentials. */
  certificate: string;
  x5t: string;
}

async function generateAdminKey(clientId: string, now: number): Promise<GeneratedKey> {
  const keys = await crypto.subtle.generateKey(
    { ...SIGNING_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  );
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`${ADMIN_APP_NAME} ${clientId}`] }],
    keys,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + CERTIFICATE_DAYS * DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
  });
  const der = Buffer.from(cert.rawData);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    privateKeyPem: x509.PemConverter.encode(pkcs8, x509.PemConverter.PrivateKeyTag),
    certificatePem: cert.toString('pem'),
    certificate: der.toString('base64'),
    x5t: Buffer.from(await crypto.subtle.digest('SHA-1', der)).toString('base64url'),
  };
}

async function writePrivate(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    if (!isWindows) await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

async function writeIdentityFiles(
  dataDir: string,
  file: AdminIdentityFile,
  key: GeneratedKey,
): Promise<void> {
  const paths = adminPaths(dataDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writePrivate(paths.key, key.privateKeyPem, 0o600);
  await writePrivate(paths.certificate, key.certificatePem, 0o644);
  await writePrivate(paths.info, `${JSON.stringify(file, null, 2)}\n`, 0o600);
}

export async function readAdminIdentity(dataDir: string): Promise<AdminIdentity | undefined> {
  const paths = adminPaths(dataDir);
  let info: string;
  try {
    info = await readFile(paths.info, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const file = JSON.parse(info) as AdminIdentityFile;
  return { ...file, privateKeyPem: await readFile(paths.key, 'utf8') };
}

/** Older stores predate some built-in Graph roles; give the tenant's Graph application all of them. */
async function ensureGraphRoles(store: DirectoryStore, tenantId: string): Promise<Application> {
  const graph = await store.getApplicationByAppId(tenantId, GRAPH_APP_ID);
  if (!graph) throw new Error(`tenant ${tenantId} has no Microsoft Graph application`);
  const missing = GRAPH_APP_ROLES.filter((role) => !graph.appRoles.some((r) => r.id === role.id));
  if (missing.length === 0) return graph;
  return store.updateApplication(tenantId, graph.id, { appRoles: [...graph.appRoles, ...missing] });
}

/** Grants `roles` (Graph role values) to an application's service principal; idempotent. */
export async function grantGraphRoles(
  store: DirectoryStore,
  tenantId: string,
  appId: string,
  roles: readonly string[],
): Promise<void> {
  const graph = await ensureGraphRoles(store, tenantId);
  const graphPrincipal = await store.getServicePrincipalByAppId(tenantId, GRAPH_APP_ID);
  const principal = await store.getServicePrincipalByAppId(tenantId, appId);
  if (!graphPrincipal || !principal) throw new Error(`no service principal for ${appId} or Microsoft Graph`);
  for (const value of roles) {
    const role = graph.appRoles.find((candidate) => candidate.value === value);
    if (!role) throw new Error(`Microsoft Graph has no application role ${value}`);
    await store.createAppRoleAssignment(tenantId, {
      principalId: principal.id,
      resourceId: graphPrincipal.id,
      appRoleId: role.id,
    });
  }
}

/** The certificate as a keyCredentials entry (the store derives thumbprint and dates from it). */
const keyCredentialOf = (clientId: string, key: GeneratedKey, keyId: string): KeyCredentialInput => ({
  key: key.certificate,
  keyId,
  displayName: `CN=${ADMIN_APP_NAME} ${clientId}`,
});

/**
 * Makes sure the administrator identity exists: on first start creates the application, its service
 * principal, its Graph roles and a key pair in the data directory. Later starts only check. A data
 * directory without a key next to an existing administrator (a new replica's) gets a key of its own.
 * Replicas starting together on one empty database converge on one application: every step tolerates
 * a concurrent twin, and a lost keyCredentials update is retried.
 */
export async function ensureAdminIdentity(
  store: DirectoryStore,
  options: { dataDir: string; tenantId: string; now: () => number },
): Promise<{ identity: AdminIdentityFile; created: boolean }> {
  const local = await readAdminIdentity(options.dataDir);
  if (local && local.tenantId === options.tenantId) {
    const app = await store.getApplicationByAppId(local.tenantId, local.clientId);
    if (app?.keyCredentials?.some((credential) => credential.keyId === local.keyId)) {
      await grantGraphRoles(store, local.tenantId, local.clientId, ADMIN_ROLES);
      const { privateKeyPem: _secret, ...identity } = local;
      return { identity, created: false };
    }
  }
  const tenantId = options.tenantId;
  const app = await ensureAdminApplication(store, tenantId);
  await ignoreDuplicate(async () => {
    if (!(await store.getServicePrincipalByAppId(tenantId, app.appId))) {
      await store.createServicePrincipal(tenantId, { appId: app.appId });
    }
  });
  await ignoreDuplicate(() => grantGraphRoles(store, tenantId, app.appId, ADMIN_ROLES));
  const now = options.now();
  const key = await generateAdminKey(app.appId, now);
  const keyId = randomUUID();
  // keyCredentials is written whole: a replica adding its own key at the same moment can overwrite
  // ours, so re-read and retry until ours is there.
  for (let attempt = 0; ; attempt++) {
    const current = await store.getApplication(tenantId, app.id);
    if (!current) throw new Error(`the administrator application ${app.appId} disappeared during start-up`);
    if (current.keyCredentials?.some((credential) => credential.keyId === keyId)) break;
    if (attempt === 5) throw new CredlessError('admin_key_conflict');
    await store.updateApplication(tenantId, app.id, {
      keyCredentials: [...(current.keyCredentials ?? []), keyCredentialOf(app.appId, key, keyId)],
    });
  }
  const identity: AdminIdentityFile = { tenantId, clientId: app.appId, keyId, x5t: key.x5t };
  await writeIdentityFiles(options.dataDir, identity, key);
  return { identity, created: true };
}

const isDuplicate = (error: unknown) => error instanceof CredlessError && error.code === 'duplicate_value';

async function ignoreDuplicate(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    // A concurrent replica created the same object first: the outcome is what we wanted.
    if (!isDuplicate(error)) throw error;
  }
}

/**
 * The administrator's appId in a tenant, derived from the tenant id (a name-based UUID, version 5
 * layout): replicas creating it at the same moment collide on the unique appId instead of each
 * creating an application of their own.
 */
export function adminAppIdFor(tenantId: string): string {
  const hash = createHash('sha256').update(`${ADMIN_APP_NAME}:${tenantId.toLowerCase()}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The tenant's administrator application (an existing one by name), created when missing. */
async function ensureAdminApplication(store: DirectoryStore, tenantId: string): Promise<Application> {
  const existing = (await store.listApplications(tenantId)).find((app) => app.displayName === ADMIN_APP_NAME);
  if (existing) return existing;
  const appId = adminAppIdFor(tenantId);
  try {
    return await store.createApplication(tenantId, { displayName: ADMIN_APP_NAME, appId });
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    const created = await store.getApplicationByAppId(tenantId, appId);
    if (!created) throw error;
    return created;
  }
}

/**
 * Replaces the administrator's key: a new key pair and certificate, added to the application in the
 * same write that removes the old certificate; the new files replace the old ones only after that.
 */
export async function rotateAdminKey(
  store: DirectoryStore,
  options: { dataDir: string; now?: () => number },
): Promise<AdminIdentityFile> {
  const current = await readAdminIdentity(options.dataDir);
  if (!current) throw new CredlessError('admin_identity_missing', { dir: adminPaths(options.dataDir).dir });
  const app = await store.getApplicationByAppId(current.tenantId, current.clientId);
  if (!app) throw new CredlessError('admin_application_missing', { clientId: current.clientId });
  const now = (options.now ?? Date.now)();
  const key = await generateAdminKey(app.appId, now);
  const keyId = randomUUID();
  const kept = (app.keyCredentials ?? []).filter((credential) => credential.keyId !== current.keyId);
  await store.updateApplication(current.tenantId, app.id, {
    keyCredentials: [...kept, keyCredentialOf(app.appId, key, keyId)],
  });
  const identity: AdminIdentityFile = {
    tenantId: current.tenantId,
    clientId: app.appId,
    keyId,
    x5t: key.x5t,
  };
  await writeIdentityFiles(options.dataDir, identity, key);
  return identity;
}

/** A certificate client assertion for the token endpoint (iss = sub = client id, aud = endpoint). */
export async function createAdminAssertion(
  identity: AdminIdentity,
  tokenEndpoint: string,
  now: number = Date.now(),
): Promise<string> {
  const key = await importPKCS8(identity.privateKeyPem, 'RS256');
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: identity.x5t })
    .setIssuer(identity.clientId)
    .setSubject(identity.clientId)
    .setAudience(tokenEndpoint)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
    .sign(key);
}
