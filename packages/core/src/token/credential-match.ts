/**
 * Matching a verified assertion against an application's federated identity credentials: exact,
 * case-sensitive comparison of code points (never normalized). Subject credentials compare `sub`
 * exactly; expression credentials evaluate their claims expression against the verified payload.
 * On a miss, the error names the failing field with Entra's semantics: subject (700213, or 7002138 when
 * only the case of an exact subject differs) when neither kind matched, then audience (700212) when one
 * matched but not with the assertion's audience.
 * @module
 */
import { evaluateClaimsExpression, parseClaimsExpression } from '../claims-expression/index.ts';
import type { FederatedIdentityCredential } from '../directory/types.ts';
import { CredlessError } from '../errors/index.ts';
import type { AssertionIdentity } from './assertion-claims.ts';

/** True when the credential's stored expression holds for these claims; a stored expression that no
 * longer parses (it was validated at creation) matches nothing rather than failing the request. */
function expressionHolds(
  credential: FederatedIdentityCredential,
  claims: Readonly<Record<string, unknown>>,
): boolean {
  const expression = credential.claimsMatchingExpression;
  if (!expression) return false;
  try {
    return evaluateClaimsExpression(parseClaimsExpression(expression.value), claims).matched;
  } catch {
    return false;
  }
}

/**
 * Returns the matching credential or throws the error that names the failing field. `claims` is the
 * whole verified assertion payload; without it, expression credentials match nothing. Exact-subject
 * credentials are preferred; expressions are evaluated only when none of them fits.
 */
export function matchFederatedCredential(
  identity: AssertionIdentity,
  candidates: readonly FederatedIdentityCredential[],
  claims: Readonly<Record<string, unknown>> = {},
): FederatedIdentityCredential {
  const sameIssuer = candidates.filter((credential) => credential.issuer === identity.issuer);
  if (sameIssuer.length === 0) throw new CredlessError('issuer_no_match', { issuer: identity.issuer });

  const audienceFits = (credential: FederatedIdentityCredential) =>
    identity.audiences.includes(credential.audiences[0]);
  const sameSubject = sameIssuer.filter(
    (credential) => credential.subject !== null && credential.subject === identity.subject,
  );
  const exact = sameSubject.find(audienceFits);
  if (exact) return exact;

  const byExpression = sameIssuer.filter((credential) => expressionHolds(credential, claims));
  const flexible = byExpression.find(audienceFits);
  if (flexible) return flexible;

  if (sameSubject.length === 0 && byExpression.length === 0) {
    const lowered = identity.subject.toLowerCase();
    const caseOnly = sameIssuer.some((credential) => credential.subject?.toLowerCase() === lowered);
    throw new CredlessError(caseOnly ? 'subject_case_mismatch' : 'subject_no_match', {
      subject: identity.subject,
    });
  }
  throw new CredlessError('audience_no_match', { audience: identity.audiences.join(', ') });
}
