/**
 * Per-tenant issuer policy rows: the mode and shared-issuer guard (issuer_policies) and the trusted
 * issuers with their limits and pinned JWKS (trusted_issuers). Writes go through the directory write
 * transaction, so they bump the directory version and notify other replicas like any directory change.
 * @module
 */
import {
  checkCredentialAgainstIssuerPolicy,
  defaultIssuerPolicy,
  ISSUER_POLICY_MODES,
  ISSUER_SETTING_LIMITS,
  type IssuerPolicyMode,
  type PinnedJwks,
  readJwks,
  type SharedIssuerGuardInput,
  type TenantIssuerPolicy,
  type TrustedIssuer,
  validateIssuerUrl,
} from '@credless/core';
import { type Db, invalid, notFound, requireTenant, type StoreContext } from './store-context.ts';

export interface IssuerPoliciesTable {
  tenant_id: string;
  mode: string;
  shared_issuer_guard: number;
  updated_at: number;
}

export interface TrustedIssuersTable {
  tenant_id: string;
  issuer: string;
  max_assertion_lifetime_seconds: number | null;
  clock_skew_seconds: number | null;
  pinned_jwks: string | null;
  pinned_jwks_updated_at: number | null;
  created_at: number;
}

/** Tables added by migration 0005; typed here so the directory schema file stays untouched. */
const policyDb = (db: Db) =>
  db.withTables<{ issuer_policies: IssuerPoliciesTable; trusted_issuers: TrustedIssuersTable }>();

export interface IssuerPolicyPatch {
  mode?: IssuerPolicyMode;
  sharedIssuerGuard?: boolean;
}

/** Fields left undefined keep their stored value (or stay unset for a new issuer); null clears them. */
export interface TrustedIssuerInput {
  issuer: string;
  maxAssertionLifetimeSeconds?: number | null;
  clockSkewSeconds?: number | null;
  /** A JWKS document (public RSA/EC keys); replaces the pinned set wholesale (rotation). */
  pinnedJwks?: unknown;
}

function checkSetting(field: keyof typeof ISSUER_SETTING_LIMITS, value: number | null | undefined): void {
  if (value === undefined || value === null) return;
  const { min, max } = ISSUER_SETTING_LIMITS[field];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer between ${min} and ${max}`);
  }
}

/**
 * Validates an uploaded JWKS with the same rules as a fetched one (private members and symmetric keys
 * refused), and refuses a set with keys we would silently ignore: the admin must know what is pinned.
 */
export function validatePinnedJwks(document: unknown): PinnedJwks {
  const parsed = readJwks(document);
  if ('problem' in parsed) throw invalid('pinnedJwks', parsed.problem);
  if (parsed.skippedKeys > 0) {
    throw invalid(
      'pinnedJwks',
      `${parsed.skippedKeys} key(s) are unusable (need a kid, use 'sig', RSA 2048-8192 bits with e=65537 or EC P-256/384/521)`,
    );
  }
  return {
    keys: parsed.keys.map((key) => ({
      ...key.jwk,
      kid: key.kid,
      use: 'sig',
      ...(key.alg !== undefined ? { alg: key.alg } : {}),
    })),
  };
}

function trustedFromRow(row: TrustedIssuersTable): TrustedIssuer {
  const number = (value: number | null) => (value === null ? null : Number(value));
  return {
    issuer: row.issuer,
    maxAssertionLifetimeSeconds: number(row.max_assertion_lifetime_seconds),
    clockSkewSeconds: number(row.clock_skew_seconds),
    pinnedJwks: row.pinned_jwks === null ? null : (JSON.parse(row.pinned_jwks) as PinnedJwks),
    pinnedJwksUpdatedAt: number(row.pinned_jwks_updated_at),
  };
}

/** The tenant's policy; the default (mode off, guard on, no issuers) when none was set. */
export async function getIssuerPolicy(db: Db, tenantId: string): Promise<TenantIssuerPolicy> {
  const tables = policyDb(db);
  const row = await tables
    .selectFrom('issuer_policies')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const issuers = await tables
    .selectFrom('trusted_issuers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('issuer')
    .execute();
  const policy = defaultIssuerPolicy(tenantId);
  if (row) {
    policy.mode = ISSUER_POLICY_MODES.includes(row.mode as IssuerPolicyMode)
      ? (row.mode as IssuerPolicyMode)
      : 'enforce'; // An unknown stored mode fails closed.
    policy.sharedIssuerGuard = Number(row.shared_issuer_guard) !== 0;
  }
  policy.trustedIssuers = issuers.map(trustedFromRow);
  return policy;
}

export async function updateIssuerPolicy(
  ctx: StoreContext,
  tenantId: string,
  patch: IssuerPolicyPatch,
): Promise<TenantIssuerPolicy> {
  if (patch.mode !== undefined && !ISSUER_POLICY_MODES.includes(patch.mode)) {
    throw invalid('mode', `must be one of ${ISSUER_POLICY_MODES.join(', ')}`);
  }
  return ctx.write(async (trx) => {
    await requireTenant(trx, tenantId);
    const current = await getIssuerPolicy(trx, tenantId);
    const row = {
      tenant_id: tenantId,
      mode: patch.mode ?? current.mode,
      shared_issuer_guard: (patch.sharedIssuerGuard ?? current.sharedIssuerGuard) ? 1 : 0,
      updated_at: ctx.now(),
    };
    await policyDb(trx)
      .insertInto('issuer_policies')
      .values(row)
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({
          mode: row.mode,
          shared_issuer_guard: row.shared_issuer_guard,
          updated_at: row.updated_at,
        }),
      )
      .execute();
    return getIssuerPolicy(trx, tenantId);
  });
}

/** Adds the issuer to the trusted list or changes its settings; a new JWKS replaces the pinned one. */
export async function upsertTrustedIssuer(
  ctx: StoreContext,
  tenantId: string,
  input: TrustedIssuerInput,
): Promise<TrustedIssuer> {
  validateIssuerUrl(input.issuer);
  checkSetting('maxAssertionLifetimeSeconds', input.maxAssertionLifetimeSeconds);
  checkSetting('clockSkewSeconds', input.clockSkewSeconds);
  const pinned =
    input.pinnedJwks === undefined || input.pinnedJwks === null
      ? input.pinnedJwks
      : JSON.stringify(validatePinnedJwks(input.pinnedJwks));
  return ctx.write(async (trx) => {
    await requireTenant(trx, tenantId);
    const tables = policyDb(trx);
    const existing = await tables
      .selectFrom('trusted_issuers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('issuer', '=', input.issuer)
      .executeTakeFirst();
    const now = ctx.now();
    const keep = <T>(value: T | undefined, stored: T | null | undefined): T | null =>
      value === undefined ? (stored ?? null) : value;
    const row: TrustedIssuersTable = {
      tenant_id: tenantId,
      issuer: input.issuer,
      max_assertion_lifetime_seconds: keep(
        input.maxAssertionLifetimeSeconds,
        existing?.max_assertion_lifetime_seconds,
      ),
      clock_skew_seconds: keep(input.clockSkewSeconds, existing?.clock_skew_seconds),
      pinned_jwks: keep(pinned, existing?.pinned_jwks),
      pinned_jwks_updated_at:
        pinned === undefined ? (existing?.pinned_jwks_updated_at ?? null) : pinned === null ? null : now,
      created_at: existing?.created_at ?? now,
    };
    if (existing) {
      const { tenant_id: _t, issuer: _i, created_at: _c, ...changes } = row;
      await tables
        .updateTable('trusted_issuers')
        .set(changes)
        .where('tenant_id', '=', tenantId)
        .where('issuer', '=', input.issuer)
        .execute();
    } else {
      await tables.insertInto('trusted_issuers').values(row).execute();
    }
    return trustedFromRow(row);
  });
}

export async function deleteTrustedIssuer(
  ctx: StoreContext,
  tenantId: string,
  issuer: string,
): Promise<void> {
  await ctx.write(async (trx) => {
    const result = await policyDb(trx)
      .deleteFrom('trusted_issuers')
      .where('tenant_id', '=', tenantId)
      .where('issuer', '=', issuer)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(issuer);
  });
}

/** Called inside the credential-create transaction: the policy read there is the one the write commits against. */
export async function checkCredentialIssuerPolicy(
  trx: Db,
  tenantId: string,
  credential: SharedIssuerGuardInput,
): Promise<void> {
  checkCredentialAgainstIssuerPolicy(await getIssuerPolicy(trx, tenantId), credential);
}

export interface IssuerPoliciesRepository {
  /** The tenant's issuer policy; the default (mode off, shared-issuer guard on, no issuers) when unset. */
  getIssuerPolicy(tenantId: string): Promise<TenantIssuerPolicy>;
  updateIssuerPolicy(tenantId: string, patch: IssuerPolicyPatch): Promise<TenantIssuerPolicy>;
  /** Trusts an issuer or changes its settings; a pinned JWKS given here replaces the stored one. */
  upsertTrustedIssuer(tenantId: string, input: TrustedIssuerInput): Promise<TrustedIssuer>;
  deleteTrustedIssuer(tenantId: string, issuer: string): Promise<void>;
}

export function issuerPoliciesRepository(ctx: StoreContext): IssuerPoliciesRepository {
  return {
    getIssuerPolicy: (tenantId) => getIssuerPolicy(ctx.db, tenantId),
    updateIssuerPolicy: (tenantId, patch) => updateIssuerPolicy(ctx, tenantId, patch),
    upsertTrustedIssuer: (tenantId, input) => upsertTrustedIssuer(ctx, tenantId, input),
    deleteTrustedIssuer: (tenantId, issuer) => deleteTrustedIssuer(ctx, tenantId, issuer),
  };
}
