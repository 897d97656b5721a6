/**
 * Federated identity credentials: Graph's validation, uniqueness of name, of (issuer, subject) and of
 * (issuer, expression text) per application, and the per-application limit. All comparisons are exact (case-sensitive), on both
 * dialects, because the token path matches them exactly.
 * @module
 */
import {
  type AssertionCredentials,
  CredlessError,
  type FederatedIdentityCredential,
  type FederatedIdentityCredentialInput,
  type NormalizedFederatedIdentityCredential,
  normalizeFederatedIdentityCredential,
} from '@credless/core';
import { sql } from 'kysely';
import {
  type ExplanationCredentials,
  findFederatedIdentityCredentialsForExplanation,
} from './explain-credentials.ts';
import { checkCredentialIssuerPolicy } from './issuer-policies.ts';
import * as rows from './rows.ts';
import { applicationRow, type Db, duplicate, notFound, type StoreContext } from './store-context.ts';

interface SiblingRow {
  name: string;
  issuer: string;
  subject: string | null;
  claims_matching_expression: string | null;
}

/** One credential per (issuer, subject) and per (issuer, expression text) on an application. */
function refuseSameMatchTarget(
  siblings: readonly SiblingRow[],
  credential: NormalizedFederatedIdentityCredential,
): void {
  const { issuer, subject } = credential;
  const sameIssuer = siblings.filter((s) => s.issuer === issuer);
  if (subject !== null) {
    const existing = sameIssuer.find((s) => s.subject === subject);
    if (existing) {
      throw new CredlessError('fic_duplicate_issuer_subject', { issuer, subject, existing: existing.name });
    }
  }
  // Identical text only: two spellings of one condition are not detected.
  const expression = credential.claimsMatchingExpression?.value;
  if (expression !== undefined) {
    const existing = sameIssuer.find((s) => s.claims_matching_expression === expression);
    if (existing) {
      throw new CredlessError('fic_duplicate_issuer_expression', {
        issuer,
        expression,
        existing: existing.name,
      });
    }
  }
}

export async function createFederatedIdentityCredential(
  ctx: StoreContext,
  tenantId: string,
  applicationId: string,
  input: FederatedIdentityCredentialInput,
  limit: number | null,
): Promise<FederatedIdentityCredential> {
  const credential = normalizeFederatedIdentityCredential(input);
  return ctx.write(async (trx) => {
    if ((await applicationRow(trx, tenantId, 'id', applicationId)) === undefined)
      throw notFound(applicationId);
    // The tenant's issuer policy: allowlist in enforce mode, shared-issuer guard unless opted out.
    await checkCredentialIssuerPolicy(trx, tenantId, credential);
    const siblings = await trx
      .selectFrom('federated_identity_credentials')
      .select(['name', 'issuer', 'subject', 'claims_matching_expression'])
      .where('application_id', '=', applicationId)
      .execute();
    if (siblings.some((s) => s.name === credential.name)) {
      throw duplicate('FederatedIdentityCredential', 'name', credential.name);
    }
    refuseSameMatchTarget(siblings, credential);
    if (limit !== null && siblings.length >= limit) throw new CredlessError('fic_limit_reached', { limit });
    const row = {
      id: ctx.newId(),
      tenant_id: tenantId,
      application_id: applicationId,
      name: credential.name,
      issuer: credential.issuer,
      subject: credential.subject,
      claims_matching_expression: credential.claimsMatchingExpression?.value ?? null,
      audience: credential.audiences[0],
      description: credential.description,
      created_at: ctx.now(),
    };
    await trx.insertInto('federated_identity_credentials').values(row).execute();
    return rows.federatedCredentialFromRow(row);
  });
}

function credentialsOf(db: Db, tenantId: string, applicationId: string) {
  return db
    .selectFrom('federated_identity_credentials')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('application_id', '=', applicationId);
}

export async function listFederatedIdentityCredentials(
  db: Db,
  tenantId: string,
  applicationId: string,
): Promise<FederatedIdentityCredential[]> {
  const found = await credentialsOf(db, tenantId, applicationId)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  return found.map(rows.federatedCredentialFromRow);
}

export async function getFederatedIdentityCredential(
  db: Db,
  tenantId: string,
  applicationId: string,
  idOrName: string,
): Promise<FederatedIdentityCredential | undefined> {
  const row = await credentialsOf(db, tenantId, applicationId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return row && rows.federatedCredentialFromRow(row);
}

export async function findFederatedIdentityCredentialsByIssuer(
  db: Db,
  tenantId: string,
  applicationId: string,
  issuer: string,
): Promise<FederatedIdentityCredential[]> {
  const found = await credentialsOf(db, tenantId, applicationId)
    .where('issuer', '=', issuer)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  return found.map(rows.federatedCredentialFromRow);
}

/** Whether the application has any credential naming this issuer: one row at most, by the unique
 * index's (application_id, issuer) prefix. */
export async function hasCredentialForIssuer(
  db: Db,
  tenantId: string,
  applicationId: string,
  issuer: string,
): Promise<boolean> {
  const row = await credentialsOf(db, tenantId, applicationId)
    .where('issuer', '=', issuer)
    .clearSelect()
    .select('id')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The token path's lookup, by index whatever the application holds: the subject credential with
 * exactly this subject (unique index on application, issuer, subject) and the issuer's expression
 * credentials (partial index where subject is null, migration 0004).
 */
export async function findFederatedIdentityCredentialsForAssertion(
  db: Db,
  tenantId: string,
  applicationId: string,
  issuer: string,
  subject: string,
): Promise<AssertionCredentials> {
  const sameIssuer = () => credentialsOf(db, tenantId, applicationId).where('issuer', '=', issuer);
  const [exact, expressions] = await Promise.all([
    sameIssuer().where('subject', '=', subject).execute(),
    sameIssuer().where('subject', 'is', null).orderBy('created_at').orderBy('name').execute(),
  ]);
  return {
    exact: exact.map(rows.federatedCredentialFromRow),
    expressions: expressions.map(rows.federatedCredentialFromRow),
  };
}

/**
 * True when a subject credential's subject equals `subject` ignoring case, by the database's own
 * lower() on both sides (served by the expression index on application, issuer, lower(subject)).
 * SQLite's lower() folds ASCII only, so a non-ASCII case difference reads as a plain mismatch there.
 */
export async function hasSubjectIgnoringCase(
  db: Db,
  tenantId: string,
  applicationId: string,
  issuer: string,
  subject: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('federated_identity_credentials')
    .select('id')
    .where('application_id', '=', applicationId)
    .where('issuer', '=', issuer)
    .where(sql`lower(subject)`, '=', sql`lower(${subject})`)
    .where('tenant_id', '=', tenantId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function isKnownIssuer(db: Db, issuer: string): Promise<boolean> {
  const row = await db
    .selectFrom('federated_identity_credentials')
    .select('id')
    .where('issuer', '=', issuer)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteFederatedIdentityCredential(
  ctx: StoreContext,
  tenantId: string,
  applicationId: string,
  idOrName: string,
): Promise<void> {
  await ctx.write(async (trx) => {
    const credential = await getFederatedIdentityCredential(trx, tenantId, applicationId, idOrName);
    if (credential === undefined) throw notFound(idOrName);
    await trx.deleteFrom('federated_identity_credentials').where('id', '=', credential.id).execute();
  });
}

/**
 * Graph's PATCH: merges the changed fields into the stored credential (the name is immutable) and
 * checks the result like a create, against the application's other credentials.
 */
export async function updateFederatedIdentityCredential(
  ctx: StoreContext,
  tenantId: string,
  applicationId: string,
  idOrName: string,
  patch: Partial<Omit<FederatedIdentityCredentialInput, 'name'>>,
): Promise<FederatedIdentityCredential> {
  return ctx.write(async (trx) => {
    const current = await getFederatedIdentityCredential(trx, tenantId, applicationId, idOrName);
    if (current === undefined) throw notFound(idOrName);
    // Setting one match target clears the other, as Graph does.
    const target =
      patch.subject != null || patch.claimsMatchingExpression != null
        ? { subject: patch.subject ?? null, claimsMatchingExpression: patch.claimsMatchingExpression ?? null }
        : { subject: current.subject, claimsMatchingExpression: current.claimsMatchingExpression };
    const credential = normalizeFederatedIdentityCredential({
      name: current.name,
      issuer: patch.issuer ?? current.issuer,
      audiences: patch.audiences ?? current.audiences,
      description: patch.description === undefined ? current.description : patch.description,
      ...target,
    });
    await checkCredentialIssuerPolicy(trx, tenantId, credential);
    const siblings = await trx
      .selectFrom('federated_identity_credentials')
      .select(['name', 'issuer', 'subject', 'claims_matching_expression'])
      .where('application_id', '=', applicationId)
      .where('id', '!=', current.id)
      .execute();
    refuseSameMatchTarget(siblings, credential);
    const changes = {
      issuer: credential.issuer,
      subject: credential.subject,
      claims_matching_expression: credential.claimsMatchingExpression?.value ?? null,
      audience: credential.audiences[0],
      description: credential.description,
    };
    await trx
      .updateTable('federated_identity_credentials')
      .set(changes)
      .where('id', '=', current.id)
      .execute();
    const row = await credentialsOf(trx, tenantId, applicationId)
      .where('id', '=', current.id)
      .executeTakeFirstOrThrow();
    return rows.federatedCredentialFromRow(row);
  });
}

export interface FederatedCredentialsRepository {
  /**
   * Validates with Graph's rules, enforces (issuer, subject) uniqueness per app and the per-app limit
   * (`limit`, undefined = the store's configured default, null = unlimited).
   */
  createFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    input: FederatedIdentityCredentialInput,
    options?: { limit?: number | null },
  ): Promise<FederatedIdentityCredential>;
  listFederatedIdentityCredentials(
    tenantId: string,
    applicationId: string,
  ): Promise<FederatedIdentityCredential[]>;
  getFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
  ): Promise<FederatedIdentityCredential | undefined>;
  /** Credentials of one application naming this issuer exactly (all of them: not for the token path). */
  findFederatedIdentityCredentialsByIssuer(
    tenantId: string,
    applicationId: string,
    issuer: string,
  ): Promise<FederatedIdentityCredential[]>;
  /** Token-path probe, indexed: does any credential of this application name the issuer? */
  hasFederatedIdentityCredentialForIssuer(
    tenantId: string,
    applicationId: string,
    issuer: string,
  ): Promise<boolean>;
  /** Token-path lookup, indexed: exact-subject and expression credentials for one verified assertion. */
  findFederatedIdentityCredentialsForAssertion(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<AssertionCredentials>;
  /** Failure-path probe: a subject credential whose subject differs from `subject` only in case. */
  hasFederatedIdentityCredentialSubjectIgnoringCase(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<boolean>;
  /**
   * Failure-path and dry-run lookup (explanations): at most `limit` credentials of the application,
   * the ones most relevant to the token's issuer and subject first; never on the token path.
   */
  listFederatedIdentityCredentialsForExplanation(
    tenantId: string,
    applicationId: string,
    hint: { issuer?: string | undefined; subject?: string | undefined },
    limit: number,
  ): Promise<ExplanationCredentials>;
  /** True when any credential in any tenant names this issuer (guards which issuers may be fetched). */
  isKnownIssuer(issuer: string): Promise<boolean>;
  deleteFederatedIdentityCredential(tenantId: string, applicationId: string, idOrName: string): Promise<void>;
  /** Graph's PATCH: changes issuer, subject or expression, audiences, description (the name is immutable). */
  updateFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
    patch: Partial<Omit<FederatedIdentityCredentialInput, 'name'>>,
  ): Promise<FederatedIdentityCredential>;
}

/** `defaultLimit`: the per-application limit when a create does not name one (null = unlimited). */
export function federatedCredentialsRepository(
  ctx: StoreContext,
  defaultLimit: number | null,
): FederatedCredentialsRepository {
  const { db } = ctx;
  return {
    createFederatedIdentityCredential: (tenantId, applicationId, input, options = {}) =>
      createFederatedIdentityCredential(
        ctx,
        tenantId,
        applicationId,
        input,
        options.limit === undefined ? defaultLimit : options.limit,
      ),
    listFederatedIdentityCredentials: (tenantId, applicationId) =>
      listFederatedIdentityCredentials(db, tenantId, applicationId),
    getFederatedIdentityCredential: (tenantId, applicationId, idOrName) =>
      getFederatedIdentityCredential(db, tenantId, applicationId, idOrName),
    findFederatedIdentityCredentialsByIssuer: (tenantId, applicationId, issuer) =>
      findFederatedIdentityCredentialsByIssuer(db, tenantId, applicationId, issuer),
    hasFederatedIdentityCredentialForIssuer: (tenantId, applicationId, issuer) =>
      hasCredentialForIssuer(db, tenantId, applicationId, issuer),
    findFederatedIdentityCredentialsForAssertion: (tenantId, applicationId, issuer, subject) =>
      findFederatedIdentityCredentialsForAssertion(db, tenantId, applicationId, issuer, subject),
    hasFederatedIdentityCredentialSubjectIgnoringCase: (tenantId, applicationId, issuer, subject) =>
      hasSubjectIgnoringCase(db, tenantId, applicationId, issuer, subject),
    listFederatedIdentityCredentialsForExplanation: (tenantId, applicationId, hint, limit) =>
      findFederatedIdentityCredentialsForExplanation(db, tenantId, applicationId, hint, limit),
    isKnownIssuer: (issuer) => isKnownIssuer(db, issuer),
    deleteFederatedIdentityCredential: (tenantId, applicationId, idOrName) =>
      deleteFederatedIdentityCredential(ctx, tenantId, applicationId, idOrName),
    updateFederatedIdentityCredential: (tenantId, applicationId, idOrName, patch) =>
      updateFederatedIdentityCredential(ctx, tenantId, applicationId, idOrName, patch),
  };
}
