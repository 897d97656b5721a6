/** The explanation runs the exchange's issuer-policy checks and refuses what the exchange refuses. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXPLAINED_POLICY_CHECKS, explainIssuerPolicy } from '../../src/explain/index.ts';
import type { TenantIssuerPolicy, TrustedIssuer } from '../../src/issuer-policy/types.ts';
import { TOKEN_EXCHANGE_STEPS } from '../../src/token/exchange.ts';

const ISSUER = 'https://issuer.example.com';
const OTHER = 'https://other.example.com';
const NOW = 1_800_000_000;
const SERVER_SKEW = 300;

const trusted = (settings: Partial<TrustedIssuer> = {}): TrustedIssuer => ({
  issuer: ISSUER,
  maxAssertionLifetimeSeconds: null,
  clockSkewSeconds: null,
  pinnedJwks: null,
  pinnedJwksUpdatedAt: null,
  ...settings,
});
const policy = (mode: TenantIssuerPolicy['mode'], ...issuers: TrustedIssuer[]): TenantIssuerPolicy => ({
  tenantId: 'tenant',
  mode,
  sharedIssuerGuard: true,
  trustedIssuers: issuers,
});
/** A payload from `iss` valid for `lifetime` seconds from now. */
const token = (iss: string | undefined, lifetime = 3600) => ({
  ...(iss === undefined ? {} : { iss }),
  iat: NOW,
  exp: NOW + lifetime,
});

type Row = [
  name: string,
  TenantIssuerPolicy | undefined,
  Record<string, unknown>,
  statuses: string[],
  refusal: { step: string; aadsts: number; message: RegExp } | null,
  skew: number,
];

const ROWS: Row[] = [
  ['no policy: any issuer', undefined, token(ISSUER), ['pass', 'not_applicable'], null, SERVER_SKEW],
  ['mode off: any issuer', policy('off'), token(OTHER), ['pass', 'not_applicable'], null, SERVER_SKEW],
  [
    'audit, unlisted issuer: flagged',
    policy('audit'),
    token(OTHER),
    ['audit', 'not_applicable'],
    null,
    SERVER_SKEW,
  ],
  [
    'enforce, unlisted issuer: refused before anything else',
    policy('enforce', trusted()),
    token(OTHER),
    ['refused'],
    {
      step: 'applyIssuerPolicy',
      aadsts: 700211,
      message: /issuer 'https:\/\/other\.example\.com' is not trusted/,
    },
    SERVER_SKEW,
  ],
  [
    'enforce, listed issuer',
    policy('enforce', trusted()),
    token(ISSUER),
    ['pass', 'not_applicable'],
    null,
    SERVER_SKEW,
  ],
  [
    'lifetime over the issuer maximum: refused (any mode)',
    policy('off', trusted({ maxAssertionLifetimeSeconds: 600 })),
    token(ISSUER, 3600),
    ['pass', 'refused'],
    { step: 'checkClaims', aadsts: 700024, message: /lifetime \(3600 s\) exceeds the 600 s allowed/ },
    SERVER_SKEW,
  ],
  [
    'lifetime within the issuer maximum',
    policy('enforce', trusted({ maxAssertionLifetimeSeconds: 600 })),
    token(ISSUER, 600),
    ['pass', 'pass'],
    null,
    SERVER_SKEW,
  ],
  [
    "the issuer's own clock skew replaces the server's",
    policy('audit', trusted({ clockSkewSeconds: 5 })),
    token(ISSUER),
    ['pass', 'not_applicable'],
    null,
    5,
  ],
  [
    'no issuer claim: nothing to decide',
    policy('enforce'),
    token(undefined),
    ['not_applicable'],
    null,
    SERVER_SKEW,
  ],
];

describe('explainIssuerPolicy', () => {
  for (const [name, tenantPolicy, payload, statuses, refusal, skew] of ROWS) {
    test(name, () => {
      const result = explainIssuerPolicy({
        policy: tenantPolicy,
        payload,
        nowSeconds: NOW,
        clockSkewSeconds: SERVER_SKEW,
      });
      assert.equal(result.mode, tenantPolicy?.mode ?? 'off');
      assert.deepEqual(
        result.checks.map((check) => check.status),
        statuses,
      );
      assert.equal(result.clockSkewSeconds, skew);
      if (!refusal) {
        assert.equal(result.refusedBy, null);
        return;
      }
      assert.equal(result.refusedBy?.step, refusal.step);
      assert.equal(result.refusedBy?.refusal?.aadsts, refusal.aadsts);
      assert.match(result.refusedBy?.refusal?.message ?? '', refusal.message);
    });
  }

  test("the untrusted issuer's refusal says the issuer is not trusted, not that no credential matches", () => {
    const { refusedBy } = explainIssuerPolicy({
      policy: policy('enforce'),
      payload: token(OTHER),
      nowSeconds: NOW,
      clockSkewSeconds: SERVER_SKEW,
    });
    assert.equal(refusedBy?.refusal?.code, 'assertion_issuer_untrusted');
    assert.doesNotMatch(refusedBy?.refusal?.message ?? '', /No matching federated identity record/);
  });

  test('each check names a step of the token exchange, in the exchange order', () => {
    const exchangeSteps = TOKEN_EXCHANGE_STEPS.map(([name]) => name);
    const positions = EXPLAINED_POLICY_CHECKS.map(({ step }) => exchangeSteps.indexOf(step));
    assert.ok(
      positions.every((position) => position >= 0),
      `unknown step in ${JSON.stringify(EXPLAINED_POLICY_CHECKS)}`,
    );
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
  });
});
