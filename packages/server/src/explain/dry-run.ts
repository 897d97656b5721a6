/**
 * The dry run behind `credless explain` and POST /{tenant}/explain: decode a token, run the tenant's
 * issuer policy as the exchange does, check its signature when the issuer's keys can be had, and
 * explain it against one application's federated credentials. Issues nothing and records nothing.
 * @module
 */
import {
  CredlessError,
  checkTokenSignature,
  DEFAULT_MAX_ASSERTION_LENGTH,
  decodeTokenForExplanation,
  type Explanation,
  explainIssuerPolicy,
  explainToken,
  type IssuerKeys,
  type IssuerPolicyExplanation,
  MAX_EXPLAINED_CREDENTIALS,
} from '@credless/core';
import type { DirectoryStore } from '../store/directory-store.ts';

export interface SignatureReport {
  /** 'invalid': the exchange would refuse the signature; 'not_verified': it could not be checked here. */
  status: 'verified' | 'not_verified' | 'invalid';
  reason?: string;
}

export interface DryRunReport {
  /** 'match' when the exchange would accept this token for this application (signature permitting). */
  verdict: 'match' | 'no_match';
  application: { id: string; appId: string; displayName: string };
  signature: SignatureReport;
  /** Why the exchange would refuse the token's structure (alg none, a key in the header…); null when fine. */
  structureProblem: string | null;
  /** The exchange's issuer-policy checks (trusted issuer, lifetime); `refusedBy` names the one that refuses. */
  issuerPolicy: IssuerPolicyExplanation;
  explanation: Explanation;
}

export interface DryRunOptions {
  store: Pick<
    DirectoryStore,
    | 'getApplicationByAppId'
    | 'getApplication'
    | 'listFederatedIdentityCredentialsForExplanation'
    | 'getIssuerPolicy'
  >;
  tenantId: string;
  /** The application's appId (client id) or object id. */
  app: string;
  token: string;
  nowMs: number;
  clockSkewSeconds: number;
  /** This credless's public base URL, to recognise a token addressed to the token service. */
  baseUrl?: string;
  maxAssertionLength?: number;
  /** Issuer verification keys; without them the signature is reported as not verified. */
  issuerKeys?: IssuerKeys;
}

const SIGNATURE_REFUSALS = new Set(['assertion_signature_invalid', 'signing_key_not_found']);

async function checkSignature(
  options: DryRunOptions,
  decoded: ReturnType<typeof decodeTokenForExplanation>,
  issuerNamed: boolean,
  policyRefuses: boolean,
): Promise<SignatureReport> {
  const { peeked } = decoded;
  if (!peeked) return { status: 'invalid', reason: decoded.structureProblem ?? 'the token cannot be read' };
  if (!options.issuerKeys) return { status: 'not_verified', reason: 'signature checking was not requested' };
  // As in the exchange: a refused issuer is never contacted.
  if (policyRefuses) {
    return {
      status: 'not_verified',
      reason: "the issuer policy refuses the token, so the issuer's keys are not fetched",
    };
  }
  if (!issuerNamed) {
    return {
      status: 'not_verified',
      reason: "no credential of the application names the token's issuer, so its keys are not fetched",
    };
  }
  try {
    const key = await options.issuerKeys.getVerificationKey(peeked.issuer, peeked.kid, peeked.alg, {
      tenantId: options.tenantId,
    });
    const result = await checkTokenSignature(options.token, peeked.alg, key);
    return result.verified ? { status: 'verified' } : { status: 'invalid', reason: result.reason };
  } catch (error) {
    if (error instanceof CredlessError) {
      return {
        status: SIGNATURE_REFUSALS.has(error.code) ? 'invalid' : 'not_verified',
        reason: error.message,
      };
    }
    return { status: 'not_verified', reason: 'the issuer could not be reached' };
  }
}

/** Throws `not_found` for an unknown application and `assertion_malformed` for an unreadable token. */
export async function dryRunExplain(options: DryRunOptions): Promise<DryRunReport> {
  const { store, tenantId, app } = options;
  const application =
    (await store.getApplicationByAppId(tenantId, app.toLowerCase())) ??
    (await store.getApplicationByAppId(tenantId, app)) ??
    (await store.getApplication(tenantId, app));
  if (!application || application.builtIn) throw new CredlessError('not_found', { id: app });
  const decoded = decodeTokenForExplanation(
    options.token,
    options.maxAssertionLength ?? DEFAULT_MAX_ASSERTION_LENGTH,
  );
  const { payload } = decoded;
  const issuer = typeof payload['iss'] === 'string' ? payload['iss'] : undefined;
  const subject = typeof payload['sub'] === 'string' ? payload['sub'] : undefined;
  const { credentials, truncated } = await store.listFederatedIdentityCredentialsForExplanation(
    tenantId,
    application.id,
    { issuer, subject },
    MAX_EXPLAINED_CREDENTIALS,
  );
  const nowSeconds = Math.floor(options.nowMs / 1000);
  const issuerPolicy = explainIssuerPolicy({
    policy: await store.getIssuerPolicy(tenantId),
    payload,
    nowSeconds,
    clockSkewSeconds: options.clockSkewSeconds,
  });
  const explanation = explainToken({
    payload,
    nowSeconds,
    // The issuer's own clock skew when its policy entry sets one, as the exchange uses.
    clockSkewSeconds: issuerPolicy.clockSkewSeconds,
    credentials,
    credentialsTruncated: truncated,
    clientId: application.appId,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  const issuerNamed = issuer !== undefined && credentials.some((credential) => credential.issuer === issuer);
  const policyRefuses = issuerPolicy.refusedBy !== null;
  const signature = await checkSignature(options, decoded, issuerNamed, policyRefuses);
  const accepted =
    explanation.verdict === 'match' &&
    !policyRefuses &&
    decoded.structureProblem === undefined &&
    signature.status !== 'invalid';
  return {
    verdict: accepted ? 'match' : 'no_match',
    application: { id: application.id, appId: application.appId, displayName: application.displayName },
    signature,
    structureProblem: decoded.structureProblem ?? null,
    issuerPolicy,
    explanation,
  };
}
