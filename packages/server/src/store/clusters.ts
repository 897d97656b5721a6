/**
 * Local cluster records (AKS-like) with their service-account issuer key, and the keys of the other
 * emulated issuers. Key material arrives already generated and encrypted (local-issuers/); this module
 * only stores it. Writes go through the directory write transaction, so every replica hears of them.
 * @module
 */
import { deleteRoleAssignmentsUnder, getClusterApiPort, setClusterApiPort } from './role-assignments.ts';
import { isUniqueViolation } from './sql-errors.ts';
import { type Db, duplicate, invalid, notFound, requireTenant, type StoreContext } from './store-context.ts';

export interface ClustersTable {
  id: string;
  tenant_id: string;
  subscription_id: string;
  resource_group: string;
  name: string;
  lookup_key: string;
  location: string;
  issuer_guid: string;
  issuer_url: string;
  oidc_issuer_enabled: number;
  workload_identity_enabled: number;
  kid: string;
  public_jwk: string;
  encrypted_private_key: string;
  created_at: number;
  /** Migration 0016: JSON, null until an ARM PUT. */
  arm_profile?: string | null;
}

export interface EmulatedIssuerKeysTable {
  issuer_name: string;
  kid: string;
  public_jwk: string;
  encrypted_private_key: string;
  created_at: number;
}

/** Tables added by migration 0008; typed here so the directory schema file stays untouched. */
const clusterDb = (db: Db) =>
  db.withTables<{ clusters: ClustersTable; emulated_issuer_keys: EmulatedIssuerKeysTable }>();

/** An issuer's RSA signing key: public half in clear, private JWK as a compact JWE under the KEK. */
export interface EmulatedIssuerKey {
  kid: string;
  publicJwk: { kty: 'RSA'; n: string; e: string };
  encryptedPrivateKey: string;
  createdAt: Date;
}

export interface ClusterRecord {
  /** ARM-like resource id. */
  id: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** The guid in the issuer URL. */
  issuerGuid: string;
  /** The service-account issuer, fixed at creation (AKS-like, trailing slash). */
  issuerUrl: string;
  oidcIssuerEnabled: boolean;
  workloadIdentityEnabled: boolean;
  signingKey: EmulatedIssuerKey;
  createdAt: Date;
  /** What the last ARM PUT said that the platform keeps without acting on (tags, node pools); opaque here. */
  armProfile?: Record<string, unknown>;
}

/** AKS names: 1-63 letters, digits, '-' and '_', starting and ending alphanumeric; resource groups up to 90. */
const CLUSTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

export function checkClusterNames(resourceGroup: string, name: string): void {
  if (!CLUSTER_NAME.test(name))
    throw invalid(
      'name',
      `'${name.slice(0, 80)}' must be 1-63 letters, digits, '-' or '_' (alphanumeric at both ends)`,
    );
  if (!RESOURCE_GROUP.test(resourceGroup) || resourceGroup.endsWith('.'))
    throw invalid('resourceGroup', `'${resourceGroup.slice(0, 100)}' is not a valid resource group name`);
}

const lookupKey = (resourceGroup: string, name: string) =>
  `${resourceGroup.toLowerCase()}/${name.toLowerCase()}`;

const fromRow = (row: ClustersTable): ClusterRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  subscriptionId: row.subscription_id,
  resourceGroup: row.resource_group,
  name: row.name,
  location: row.location,
  issuerGuid: row.issuer_guid,
  issuerUrl: row.issuer_url,
  oidcIssuerEnabled: Number(row.oidc_issuer_enabled) === 1,
  workloadIdentityEnabled: Number(row.workload_identity_enabled) === 1,
  signingKey: {
    kid: row.kid,
    publicJwk: JSON.parse(row.public_jwk) as EmulatedIssuerKey['publicJwk'],
    encryptedPrivateKey: row.encrypted_private_key,
    createdAt: new Date(Number(row.created_at)),
  },
  createdAt: new Date(Number(row.created_at)),
  // Absent until an ARM PUT kept something: records created before migration 0016 read the same.
  ...(row.arm_profile ? { armProfile: JSON.parse(row.arm_profile) as Record<string, unknown> } : {}),
});

/**
 * Creates the cluster, or — like `az aks create` run again — returns the existing one of that
 * resource group and name, with any feature newly asked for switched on (they are never switched off).
 */
export async function createCluster(
  ctx: StoreContext,
  record: ClusterRecord,
): Promise<{ cluster: ClusterRecord; created: boolean }> {
  checkClusterNames(record.resourceGroup, record.name);
  const key = lookupKey(record.resourceGroup, record.name);
  return ctx.write(async (trx) => {
    await requireTenant(trx, record.tenantId);
    const db = clusterDb(trx);
    const existing = await db
      .selectFrom('clusters')
      .selectAll()
      .where('tenant_id', '=', record.tenantId)
      .where('lookup_key', '=', key)
      .executeTakeFirst();
    if (existing) {
      const oidc = Number(existing.oidc_issuer_enabled) === 1 || record.oidcIssuerEnabled;
      const wi = Number(existing.workload_identity_enabled) === 1 || record.workloadIdentityEnabled;
      await db
        .updateTable('clusters')
        .set({ oidc_issuer_enabled: oidc ? 1 : 0, workload_identity_enabled: wi ? 1 : 0 })
        .where('id', '=', existing.id)
        .execute();
      return {
        cluster: fromRow({
          ...existing,
          oidc_issuer_enabled: oidc ? 1 : 0,
          workload_identity_enabled: wi ? 1 : 0,
        }),
        created: false,
      };
    }
    const clash = await db
      .selectFrom('clusters')
      .select('id')
      .where('issuer_url', '=', record.issuerUrl)
      .executeTakeFirst();
    if (clash) throw duplicate('ManagedCluster', 'issuerUrl', record.issuerUrl);
    await db
      .insertInto('clusters')
      .values({
        id: record.id,
        tenant_id: record.tenantId,
        subscription_id: record.subscriptionId,
        resource_group: record.resourceGroup,
        name: record.name,
        lookup_key: key,
        location: record.location,
        issuer_guid: record.issuerGuid,
        issuer_url: record.issuerUrl,
        oidc_issuer_enabled: record.oidcIssuerEnabled ? 1 : 0,
        workload_identity_enabled: record.workloadIdentityEnabled ? 1 : 0,
        kid: record.signingKey.kid,
        public_jwk: JSON.stringify(record.signingKey.publicJwk),
        encrypted_private_key: record.signingKey.encryptedPrivateKey,
        created_at: record.createdAt.getTime(),
      })
      .execute();
    return { cluster: record, created: true };
  });
}

export async function getCluster(
  db: Db,
  tenantId: string,
  resourceGroup: string,
  name: string,
): Promise<ClusterRecord | undefined> {
  const row = await clusterDb(db)
    .selectFrom('clusters')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('lookup_key', '=', lookupKey(resourceGroup, name))
    .executeTakeFirst();
  return row && fromRow(row);
}

export async function findClusterByIssuer(db: Db, issuerUrl: string): Promise<ClusterRecord | undefined> {
  const row = await clusterDb(db)
    .selectFrom('clusters')
    .selectAll()
    .where('issuer_url', '=', issuerUrl)
    .executeTakeFirst();
  return row && fromRow(row);
}

export async function listClusters(
  db: Db,
  tenantId: string,
  resourceGroup?: string,
): Promise<ClusterRecord[]> {
  const rows = await clusterDb(db)
    .selectFrom('clusters')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const group = resourceGroup?.toLowerCase();
  return rows.map(fromRow).filter((c) => group === undefined || c.resourceGroup.toLowerCase() === group);
}

export async function deleteCluster(
  ctx: StoreContext,
  tenantId: string,
  resourceGroup: string,
  name: string,
): Promise<void> {
  const key = lookupKey(resourceGroup, name);
  await ctx.write(async (trx) => {
    const db = clusterDb(trx);
    const row = await db
      .selectFrom('clusters')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('lookup_key', '=', key)
      .executeTakeFirst();
    if (!row) throw notFound(`${resourceGroup}/${name}`);
    // Role assignments at the cluster (and its namespaces) go with it, as in ARM.
    await deleteRoleAssignmentsUnder(trx, tenantId, row.id);
    await db.deleteFrom('clusters').where('id', '=', row.id).execute();
  });
}

/** Replaces the cluster's ARM profile; the cluster as stored after, or undefined when it is gone. */
export async function setClusterArmProfile(
  ctx: StoreContext,
  tenantId: string,
  clusterId: string,
  profile: Record<string, unknown> | null,
): Promise<ClusterRecord | undefined> {
  return ctx.write(async (trx) => {
    const db = clusterDb(trx);
    await db
      .updateTable('clusters')
      .set({ arm_profile: profile === null ? null : JSON.stringify(profile) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', clusterId)
      .execute();
    const row = await db
      .selectFrom('clusters')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', clusterId)
      .executeTakeFirst();
    return row && fromRow(row);
  });
}

export async function getEmulatedIssuerKey(
  db: Db,
  issuerName: string,
): Promise<EmulatedIssuerKey | undefined> {
  const row = await clusterDb(db)
    .selectFrom('emulated_issuer_keys')
    .selectAll()
    .where('issuer_name', '=', issuerName)
    .executeTakeFirst();
  return (
    row && {
      kid: row.kid,
      publicJwk: JSON.parse(row.public_jwk) as EmulatedIssuerKey['publicJwk'],
      encryptedPrivateKey: row.encrypted_private_key,
      createdAt: new Date(Number(row.created_at)),
    }
  );
}

/** Stores the key unless the issuer has one already; returns the stored key (replicas racing agree on one). */
export async function insertEmulatedIssuerKey(
  ctx: StoreContext,
  issuerName: string,
  key: EmulatedIssuerKey,
): Promise<EmulatedIssuerKey> {
  try {
    await ctx.write(async (trx) => {
      if (await getEmulatedIssuerKey(trx, issuerName)) return;
      await clusterDb(trx)
        .insertInto('emulated_issuer_keys')
        .values({
          issuer_name: issuerName,
          kid: key.kid,
          public_jwk: JSON.stringify(key.publicJwk),
          encrypted_private_key: key.encryptedPrivateKey,
          created_at: key.createdAt.getTime(),
        })
        .execute();
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const stored = await getEmulatedIssuerKey(ctx.db, issuerName);
  if (!stored)
    throw new Error(`the signing key of the emulated issuer '${issuerName}' vanished after it was stored`);
  return stored;
}

export interface ClustersRepository {
  /** Local clusters (migration 0008). Creating an existing one returns it (features only switched on). */
  createCluster(record: ClusterRecord): Promise<{ cluster: ClusterRecord; created: boolean }>;
  /** Resource group and name compare case-insensitively, as in ARM. */
  getCluster(tenantId: string, resourceGroup: string, name: string): Promise<ClusterRecord | undefined>;
  listClusters(tenantId: string, resourceGroup?: string): Promise<ClusterRecord[]>;
  /** Any tenant: the issuer URL is unique. */
  findClusterByIssuer(issuerUrl: string): Promise<ClusterRecord | undefined>;
  deleteCluster(tenantId: string, resourceGroup: string, name: string): Promise<void>;
  /** Replaces what ARM keeps of the cluster (migration 0016); undefined when the cluster is gone. */
  setClusterArmProfile(
    tenantId: string,
    clusterId: string,
    profile: Record<string, unknown> | null,
  ): Promise<ClusterRecord | undefined>;
  /** Signing keys of the other emulated issuers (e.g. 'github-actions'); insert keeps the first one stored. */
  getEmulatedIssuerKey(issuerName: string): Promise<EmulatedIssuerKey | undefined>;
  insertEmulatedIssuerKey(issuerName: string, key: EmulatedIssuerKey): Promise<EmulatedIssuerKey>;
  /** Port of a local cluster's Kubernetes API listener (recorded by the running server). */
  getClusterApiPort(clusterId: string): Promise<number | undefined>;
  /** Where a listener runs is not a directory change: a plain statement, no change notification. */
  setClusterApiPort(clusterId: string, port: number): Promise<void>;
}

export function clustersRepository(ctx: StoreContext): ClustersRepository {
  return {
    createCluster: (record) => createCluster(ctx, record),
    getCluster: (tenantId, resourceGroup, name) => getCluster(ctx.db, tenantId, resourceGroup, name),
    listClusters: (tenantId, resourceGroup) => listClusters(ctx.db, tenantId, resourceGroup),
    findClusterByIssuer: (issuerUrl) => findClusterByIssuer(ctx.db, issuerUrl),
    deleteCluster: (tenantId, resourceGroup, name) => deleteCluster(ctx, tenantId, resourceGroup, name),
    setClusterArmProfile: (tenantId, clusterId, profile) =>
      setClusterArmProfile(ctx, tenantId, clusterId, profile),
    getEmulatedIssuerKey: (issuerName) => getEmulatedIssuerKey(ctx.db, issuerName),
    insertEmulatedIssuerKey: (issuerName, key) => insertEmulatedIssuerKey(ctx, issuerName, key),
    getClusterApiPort: (clusterId) => getClusterApiPort(ctx.db, clusterId),
    setClusterApiPort: (clusterId, port) => setClusterApiPort(ctx.db, clusterId, port, ctx.now()),
  };
}
