/**
 * What storage throws, and nothing else: on a request path, a repository fails with one of these
 * sentinels (a CredlessError of the catalogue's directory kind, carrying no wire shape), or with a
 * driver error that sql-errors.ts classifies (transient: the database is unreachable). Each HTTP edge
 * maps both in one function, with the wire codes kept there: graph/graph-errors.ts `graphErrorFor`
 * (404, 400, 409 on a duplicate, 503 with Retry-After when unreachable) and http/sts-errors.ts
 * `stsErrorFor` (unreachable: 503, retryable).
 * @module
 */
import { CredlessError, type ErrorCode } from '@credless/core';

/** The object (by id, name or key) does not exist in the tenant. */
export const notFound = (id: string) => new CredlessError('not_found', { id });
/** A uniqueness rule of the directory refused the write. */
export const duplicate = (objectType: string, field: string, value: string) =>
  new CredlessError('duplicate_value', { objectType, field, value });
/** A value breaks a validation rule of the directory. */
export const invalid = (field: string, reason: string) =>
  new CredlessError('invalid_value', { field, reason });

/**
 * Every code a repository throws itself: the three above and the directory's named rules. (Core's
 * validation called from storage throws `invalid_value` too.)
 */
export const STORAGE_ERROR_CODES = [
  'not_found',
  'duplicate_value',
  'invalid_value',
  'group_member_exists',
  'fic_duplicate_issuer_subject',
  'fic_duplicate_issuer_expression',
  'fic_limit_reached',
  'fic_issuer_not_trusted',
  'fic_shared_issuer_unpinned',
] as const satisfies readonly ErrorCode[];
export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

export function isStorageError(error: unknown): error is CredlessError & { code: StorageErrorCode } {
  return error instanceof CredlessError && (STORAGE_ERROR_CODES as readonly string[]).includes(error.code);
}
