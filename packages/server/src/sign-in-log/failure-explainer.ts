/**
 * Explanations for failed exchanges, computed off the token path: after the answer is decided, the
 * application's credentials are read with one bounded query and compared with the assertion's claims
 * (core explainToken). Successes never come here. Work is bounded three ways: credentials compared
 * (MAX_EXPLAINED_CREDENTIALS), explanations in flight (beyond that a failure is recorded without one,
 * and counted), and the size of what is stored.
 * @module
 */
import {
  type ExchangeOutcome,
  explainToken,
  MAX_EXPLAINED_CREDENTIALS,
  TOKEN_EXCHANGE_STEPS,
} from '@credless/core';
import type { DirectoryStore } from '../store/directory-store.ts';
import type { SignInExplanation } from '../store/sign-in-logs.ts';

/** Nearest misses kept in a sign-in record. */
const RECORDED_NEAREST_MISSES = 3;
/** Stored JSON above this is slimmed (fewer misses, then summaries only). */
export const MAX_RECORDED_EXPLANATION_CHARS = 24 * 1024;
const DEFAULT_MAX_IN_FLIGHT = 8;
/** Steps after which the assertion's signature has been verified. */
const VERIFIED_AFTER = TOKEN_EXCHANGE_STEPS.findIndex(([name]) => name === 'verifySignature');

export interface FailureExplainerOptions {
  store: Pick<DirectoryStore, 'listFederatedIdentityCredentialsForExplanation'>;
  /** This credless's public base URL (read per explanation: with port 0 it is known only after listen). */
  baseUrl: () => string;
  clockSkewSeconds: number;
  /** Explanations computed at once at most (default 8). */
  maxInFlight?: number;
  /** Told when an explanation could not be computed (the record is written without one). */
  onError?: (error: unknown) => void;
}

/**
 * Worth explaining: a failure where the client application and a readable assertion are known, and
 * no credential matched (when one did, the failure lies elsewhere and the record names the credential).
 */
export function needsExplanation(outcome: ExchangeOutcome): boolean {
  const { context } = outcome;
  return (
    outcome.issued === undefined &&
    context.tenant !== undefined &&
    context.client !== undefined &&
    context.assertion !== undefined &&
    context.credential === undefined &&
    // A certificate assertion (iss = the client id) is about certificates, not federated credentials.
    context.assertion.issuer.toLowerCase() !== context.request?.clientId.toLowerCase()
  );
}

/** Keeps the stored JSON bounded whatever the credentials hold. */
export function slimExplanation(explanation: SignInExplanation): SignInExplanation {
  if (JSON.stringify(explanation).length <= MAX_RECORDED_EXPLANATION_CHARS) return explanation;
  const fewer = { ...explanation, nearestMisses: explanation.nearestMisses.slice(0, 1) };
  if (JSON.stringify(fewer).length <= MAX_RECORDED_EXPLANATION_CHARS) return fewer;
  return { ...fewer, nearestMisses: fewer.nearestMisses.map((miss) => ({ ...miss, fields: [] })) };
}

/** The issuer policy's own clock skew for this issuer, when the exchange found one. */
function issuerClockSkew(outcome: ExchangeOutcome): number | undefined {
  const settings = (outcome.context as { issuerSettings?: { clockSkewSeconds?: number | null } })
    .issuerSettings;
  return typeof settings?.clockSkewSeconds === 'number' ? settings.clockSkewSeconds : undefined;
}

export class FailureExplainer {
  readonly #options: FailureExplainerOptions;
  readonly #maxInFlight: number;
  readonly #inFlight = new Set<Promise<void>>();
  #skipped = 0;

  constructor(options: FailureExplainerOptions) {
    this.#options = options;
    this.#maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  /** Failures recorded without an explanation because too many were being explained. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Explains the failure in the background and hands the result (or null when busy or on error) to
   * `deliver`, exactly once. Synchronous; never throws.
   */
  explain(
    outcome: ExchangeOutcome,
    nowMs: number,
    deliver: (explanation: SignInExplanation | null) => void,
  ): void {
    if (this.#inFlight.size >= this.#maxInFlight) {
      this.#skipped += 1;
      deliver(null);
      return;
    }
    const pending: Promise<void> = this.#compute(outcome, nowMs)
      .then(deliver, (error: unknown) => {
        this.#options.onError?.(error);
        deliver(null);
      })
      .finally(() => this.#inFlight.delete(pending));
    this.#inFlight.add(pending);
  }

  /** Waits for the explanations in flight (their records are delivered before this resolves). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #compute(outcome: ExchangeOutcome, nowMs: number): Promise<SignInExplanation | null> {
    const { tenant, client, assertion } = outcome.context;
    if (!tenant || !client || !assertion) return null;
    const sub = assertion.payload['sub'];
    const { credentials, truncated } =
      await this.#options.store.listFederatedIdentityCredentialsForExplanation(
        tenant.id,
        client.application.id,
        { issuer: assertion.issuer, ...(typeof sub === 'string' ? { subject: sub } : {}) },
        MAX_EXPLAINED_CREDENTIALS,
      );
    const failedAt = TOKEN_EXCHANGE_STEPS.findIndex(([name]) => name === outcome.failedStep);
    const explanation = explainToken({
      payload: assertion.payload,
      nowSeconds: Math.floor(nowMs / 1000),
      clockSkewSeconds: issuerClockSkew(outcome) ?? this.#options.clockSkewSeconds,
      credentials,
      credentialsTruncated: truncated,
      clientId: client.application.appId,
      baseUrl: this.#options.baseUrl(),
      maxNearestMisses: RECORDED_NEAREST_MISSES,
    });
    return slimExplanation({ ...explanation, assertionVerified: failedAt > VERIFIED_AFTER });
  }
}
