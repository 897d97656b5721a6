/**
 * The credentials an explanation compares, fetched with bounded, indexed queries whatever the
 * application holds: the most relevant ones first (the exact subject, the subject ignoring case, the
 * issuer's credentials, the issuer with or without a trailing slash), then any others up to the limit.
 * Used on failure paths and dry runs only, never on the token path.
 * @module
 */
import type { FederatedIdentityCredential } from '@credless/core';
import { sql } from 'kysely';
import * as rows from './rows.ts';
import type { Db } from './store-context.ts';

export interface ExplanationCredentials {
  credentials: FederatedIdentityCredential[];
  /** True when the application has more credentials than were returned. */
  truncated: boolean;
}

/** Rows a case-insensitive probe may return: a handful is enough to name the mistake. */
const CASE_PROBE_LIMIT = 5;

export async function findFederatedIdentityCredentialsForExplanation(
  db: Db,
  tenantId: string,
  applicationId: string,
  hint: { issuer?: string | undefined; subject?: string | undefined },
  limit: number,
): Promise<ExplanationCredentials> {
  const ofApp = () =>
    db
      .selectFrom('federated_identity_credentials')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('application_id', '=', applicationId);
  const { issuer, subject } = hint;
  const probes: Array<Promise<Array<Parameters<typeof rows.federatedCredentialFromRow>[0]>>> = [];
  if (issuer !== undefined) {
    if (subject !== undefined) {
      probes.push(ofApp().where('issuer', '=', issuer).where('subject', '=', subject).execute());
      probes.push(
        ofApp()
          .where('issuer', '=', issuer)
          .where(sql`lower(subject)`, '=', sql`lower(${subject})`)
          .limit(CASE_PROBE_LIMIT)
          .execute(),
      );
    }
    const otherSlash = issuer.endsWith('/') ? issuer.replace(/\/+$/, '') : `${issuer}/`;
    for (const candidate of [issuer, otherSlash]) {
      probes.push(ofApp().where('issuer', '=', candidate).orderBy('name').limit(limit).execute());
    }
  }
  // One more than the limit: an extra row means the application holds more than we show.
  const everything = ofApp()
    .orderBy('name')
    .limit(limit + 1)
    .execute();
  const found = [...(await Promise.all(probes)).flat(), ...(await everything)];
  const seen = new Set<string>();
  const credentials: FederatedIdentityCredential[] = [];
  let truncated = false;
  for (const row of found) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    if (credentials.length === limit) {
      truncated = true;
      break;
    }
    credentials.push(rows.federatedCredentialFromRow(row));
  }
  return { credentials, truncated };
}
