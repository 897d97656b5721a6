/**
 * Console sign-in codes: what `credless up` and `credless console` put in the link's fragment. Single
 * use, valid five minutes, bound to the principal the session will act as. Kept in the store (as
 * digests), so any process serving the database redeems a code any other one issued.
 * @module
 */
import type { ConsoleSessionsRepository } from '../store/console-sessions.ts';
import { newSecret, SECRET_SHAPE, secretDigest } from './console-secrets.ts';

export const SIGN_IN_CODE_LIFETIME_MS = 5 * 60_000;

/** Who a console session acts as: an application of a tenant (its service principal's Graph roles). */
export interface ConsolePrincipal {
  tenantId: string;
  appId: string;
}

export type SignInCodeStore = Pick<
  ConsoleSessionsRepository,
  'insertConsoleSignInCode' | 'takeConsoleSignInCode'
>;

export class SignInCodes {
  readonly #store: SignInCodeStore;
  readonly #now: () => number;

  constructor(store: SignInCodeStore, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** A new code for `principal`, and when it stops working. */
  async issue(principal: ConsolePrincipal): Promise<{ code: string; expiresAt: number }> {
    const code = newSecret();
    const now = this.#now();
    const expiresAt = now + SIGN_IN_CODE_LIFETIME_MS;
    await this.#store.insertConsoleSignInCode(
      secretDigest(code),
      { tenantId: principal.tenantId, appId: principal.appId, expiresAt },
      now,
    );
    return { code, expiresAt };
  }

  /** The code's principal, once: a second redemption, an expired or an unknown code gets undefined. */
  async redeem(code: unknown): Promise<ConsolePrincipal | undefined> {
    if (typeof code !== 'string' || !SECRET_SHAPE.test(code)) return undefined;
    const taken = await this.#store.takeConsoleSignInCode(secretDigest(code));
    return taken && taken.expiresAt > this.#now()
      ? { tenantId: taken.tenantId, appId: taken.appId }
      : undefined;
  }
}
