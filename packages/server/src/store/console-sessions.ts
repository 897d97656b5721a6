/**
 * The web console's sign-in codes and sessions (migration 0015), keyed by the SHA-256 digests of the
 * code and the cookie value (console/console-secrets.ts): the secrets themselves are never stored. Not
 * directory changes, so nothing here bumps the directory version. Expired rows are purged as new ones
 * are written.
 * @module
 */
import type { Db } from './store-context.ts';

interface ConsoleSignInCodesTable {
  code_digest: string;
  tenant_id: string;
  app_id: string;
  expires_at: number;
}

interface ConsoleSessionsTable {
  id: string;
  cookie_digest: string;
  tenant_id: string;
  app_id: string;
  display_name: string;
  object_id: string;
  roles_at_sign_in: string;
  created_at: number;
  expires_at: number;
  last_used_at: number;
}

const consoleDb = (db: Db) =>
  db.withTables<{ console_sign_in_codes: ConsoleSignInCodesTable; console_sessions: ConsoleSessionsTable }>();

export interface ConsoleSignInCodeRecord {
  tenantId: string;
  appId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface ConsoleSessionRecord {
  id: string;
  tenantId: string;
  appId: string;
  displayName: string;
  /** The service principal's object id. */
  objectId: string;
  rolesAtSignIn: string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number;
}

export interface ConsoleSessionsRepository {
  insertConsoleSignInCode(codeDigest: string, code: ConsoleSignInCodeRecord, now: number): Promise<void>;
  /** Removes the code and returns what it was for, once: a second call (any process) gets undefined. */
  takeConsoleSignInCode(codeDigest: string): Promise<ConsoleSignInCodeRecord | undefined>;
  insertConsoleSession(cookieDigest: string, session: ConsoleSessionRecord): Promise<void>;
  findConsoleSession(cookieDigest: string): Promise<ConsoleSessionRecord | undefined>;
  touchConsoleSession(id: string, lastUsedAt: number): Promise<void>;
  /** A tenant's sessions, oldest first (expired ones included until purged). */
  listConsoleSessions(tenantId: string): Promise<ConsoleSessionRecord[]>;
  /** False when there was none. */
  deleteConsoleSession(id: string): Promise<boolean>;
}

const sessionFromRow = (row: ConsoleSessionsTable): ConsoleSessionRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  appId: row.app_id,
  displayName: row.display_name,
  objectId: row.object_id,
  rolesAtSignIn: JSON.parse(row.roles_at_sign_in) as string[],
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  lastUsedAt: Number(row.last_used_at),
});

export function consoleSessionsRepository(db: Db): ConsoleSessionsRepository {
  const tables = consoleDb(db);
  const purgeExpired = async (now: number) => {
    await tables.deleteFrom('console_sign_in_codes').where('expires_at', '<=', now).execute();
    await tables.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
  };
  return {
    async insertConsoleSignInCode(codeDigest, code, now) {
      await purgeExpired(now);
      await tables
        .insertInto('console_sign_in_codes')
        .values({
          code_digest: codeDigest,
          tenant_id: code.tenantId,
          app_id: code.appId,
          expires_at: code.expiresAt,
        })
        .execute();
    },
    async takeConsoleSignInCode(codeDigest) {
      // One statement: of two concurrent redemptions, only one gets the row back.
      const row = await tables
        .deleteFrom('console_sign_in_codes')
        .where('code_digest', '=', codeDigest)
        .returningAll()
        .executeTakeFirst();
      return row && { tenantId: row.tenant_id, appId: row.app_id, expiresAt: Number(row.expires_at) };
    },
    async insertConsoleSession(cookieDigest, session) {
      await purgeExpired(session.createdAt);
      await tables
        .insertInto('console_sessions')
        .values({
          id: session.id,
          cookie_digest: cookieDigest,
          tenant_id: session.tenantId,
          app_id: session.appId,
          display_name: session.displayName,
          object_id: session.objectId,
          roles_at_sign_in: JSON.stringify(session.rolesAtSignIn),
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          last_used_at: session.lastUsedAt,
        })
        .execute();
    },
    async findConsoleSession(cookieDigest) {
      const row = await tables
        .selectFrom('console_sessions')
        .selectAll()
        .where('cookie_digest', '=', cookieDigest)
        .executeTakeFirst();
      return row && sessionFromRow(row);
    },
    async touchConsoleSession(id, lastUsedAt) {
      await tables
        .updateTable('console_sessions')
        .set({ last_used_at: lastUsedAt })
        .where('id', '=', id)
        .execute();
    },
    async listConsoleSessions(tenantId) {
      const found = await tables
        .selectFrom('console_sessions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return found.map(sessionFromRow);
    },
    async deleteConsoleSession(id) {
      const deleted = await tables.deleteFrom('console_sessions').where('id', '=', id).executeTakeFirst();
      return Number(deleted.numDeletedRows) > 0;
    },
  };
}
