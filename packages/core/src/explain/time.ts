/**
 * The token's time window, explained: same rule as checkAssertionTimes (nbf − skew ≤ now ≤ exp + skew,
 * iat not in the future, exp required) but reported in seconds instead of thrown.
 * @module
 */

export type TimeStatus = 'valid' | 'expired' | 'not_yet_valid' | 'missing_exp' | 'invalid_claim';

export interface TimeExplanation {
  status: TimeStatus;
  /** Seconds since `exp` (expired) or until `nbf`/`iat` (not yet valid); absent otherwise. */
  seconds?: number;
  /** The claim that decided: exp, nbf or iat. */
  claim?: 'exp' | 'nbf' | 'iat';
  clockSkewSeconds: number;
  summary: string;
}

type TimeClaim = 'exp' | 'nbf' | 'iat';

function readTime(payload: Readonly<Record<string, unknown>>, claim: TimeClaim): number | undefined | null {
  const value = payload[claim];
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const seconds = (value: number) => `${Math.round(value)} s`;

export function explainTimes(
  payload: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  clockSkewSeconds: number,
): TimeExplanation {
  const base = { clockSkewSeconds };
  const allowance = `clock skew allowance ${clockSkewSeconds} s`;
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (readTime(payload, claim) === null) {
      return { ...base, status: 'invalid_claim', claim, summary: `the '${claim}' claim is not a number` };
    }
  }
  const exp = readTime(payload, 'exp');
  if (exp === undefined || exp === null) {
    return { ...base, status: 'missing_exp', claim: 'exp', summary: "the token has no 'exp' claim" };
  }
  if (nowSeconds > exp + clockSkewSeconds) {
    const ago = nowSeconds - exp;
    return {
      ...base,
      status: 'expired',
      claim: 'exp',
      seconds: Math.round(ago),
      summary: `the token expired ${seconds(ago)} ago (${allowance})`,
    };
  }
  for (const claim of ['nbf', 'iat'] as const) {
    const value = readTime(payload, claim);
    if (typeof value === 'number' && nowSeconds < value - clockSkewSeconds) {
      const until = value - nowSeconds;
      return {
        ...base,
        status: 'not_yet_valid',
        claim,
        seconds: Math.round(until),
        summary: `the token is not valid for another ${seconds(until)} ('${claim}' is in the future; ${allowance})`,
      };
    }
  }
  const left = exp - nowSeconds;
  return {
    ...base,
    status: 'valid',
    summary:
      left >= 0
        ? `the token is within its validity window (expires in ${seconds(left)})`
        : `the token is within its validity window (expired ${seconds(-left)} ago, inside the ${allowance})`,
  };
}
