/**
 * Matching a verified assertion against an application's federated identity credentials: exact,
 * case-sensitive comparison of code points (never normalized). On a miss, the error names the failing
 * field with Entra's semantics: subject (700213, or 7002138 when only case differs), then audience (700212).
 * @module
 */
import type { FederatedIdentityCredential } from '../directory/types.ts';
import { CredlessError } from '../errors/index.ts';
import type { AssertionIdentity } from './assertion-claims.ts';

/** Returns the matching credential or throws the error that names the failing field. */
export function matchFederatedCredential(
  identity: AssertionIdentity,
  candidates: readonly FederatedIdentityCredential[],
): FederatedIdentityCredential {
  const sameIssuer = candidates.filter((credential) => credential.issuer === identity.issuer);
  if (sameIssuer.length === 0) throw new CredlessError('issuer_no_match', { issuer: identity.issuer });

  const sameSubject = sameIssuer.filter((credential) => credential.subject === identity.subject);
  if (sameSubject.length === 0) {
    const lowered = identity.subject.toLowerCase();
    const caseOnly = sameIssuer.some((credential) => credential.subject.toLowerCase() === lowered);
    throw new CredlessError(caseOnly ? 'subject_case_mismatch' : 'subject_no_match', {
      subject: identity.subject,
    });
  }

  const match = sameSubject.find((credential) => identity.audiences.includes(credential.audiences[0]));
  if (!match) throw new CredlessError('audience_no_match', { audience: identity.audiences.join(', ') });
  return match;
}
