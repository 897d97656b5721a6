import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError, ERROR_CATALOGUE } from '../../src/errors/index.ts';
import {
  checkAssertionLifetime,
  checkCredentialAgainstIssuerPolicy,
  decideAssertionIssuer,
} from '../../src/issuer-policy/policy.ts';
import {
  defaultIssuerPolicy,
  type IssuerPolicyMode,
  type TenantIssuerPolicy,
  type TrustedIssuer,
} from '../../src/issuer-policy/types.ts';

const CLUSTER = 'https://cluster.contoso.example';
const OTHER = 'https://other.example';
const GITHUB = 'https://token.actions.githubusercontent.com';

const trusted = (issuer: string, settings: Partial<TrustedIssuer> = {}): TrustedIssuer => ({
  issuer,
  maxAssertionLifetimeSeconds: null,
  clockSkewSeconds: null,
  pinnedJwks: null,
  pinnedJwksUpdatedAt: null,
  ...settings,
});
const policy = (mode: IssuerPolicyMode, extra: Partial<TenantIssuerPolicy> = {}): TenantIssuerPolicy => ({
  ...defaultIssuerPolicy('tenant-1'),
  mode,
  trustedIssuers: [trusted(CLUSTER, { clockSkewSeconds: 5 })],
  ...extra,
});
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof CredlessError, String(error));
    return error.code;
  }
};

describe('decideAssertionIssuer', () => {
  const cases: Array<[string, IssuerPolicyMode | undefined, string, string]> = [
    ['no policy at all', undefined, OTHER, '{}'],
    ['off, unlisted', 'off', OTHER, '{}'],
    ['audit, unlisted', 'audit', OTHER, '{"audit":"issuer_not_trusted"}'],
    ['enforce, unlisted', 'enforce', OTHER, 'assertion_issuer_untrusted'],
    ['enforce, listed', 'enforce', CLUSTER, 'trusted'],
    ['audit, listed', 'audit', CLUSTER, 'trusted'],
    ['off, listed: settings apply in every mode', 'off', CLUSTER, 'trusted'],
    ['enforce compares exactly (trailing slash)', 'enforce', `${CLUSTER}/`, 'assertion_issuer_untrusted'],
  ];
  for (const [name, mode, issuer, expected] of cases) {
    test(name, () => {
      const run = () => decideAssertionIssuer(mode === undefined ? undefined : policy(mode), issuer);
      const code = codeOf(run);
      if (expected === 'assertion_issuer_untrusted') return assert.equal(code, expected);
      assert.equal(code, undefined);
      const decision = run();
      if (expected === 'trusted') assert.equal(decision.trusted?.clockSkewSeconds, 5);
      else assert.equal(JSON.stringify(decision), expected);
    });
  }

  test('an untrusted issuer is AADSTS700211 on the wire, saying the issuer is not trusted', () => {
    assert.equal(ERROR_CATALOGUE.assertion_issuer_untrusted.aadsts, 700211);
    assert.equal(ERROR_CATALOGUE.assertion_issuer_untrusted.error, 'invalid_client');
    const message = new CredlessError('assertion_issuer_untrusted', { issuer: OTHER }).message;
    assert.ok(message.includes(`issuer '${OTHER}' is not trusted by this tenant`), message);
    assert.notEqual(message, new CredlessError('issuer_no_match', { issuer: OTHER }).message);
  });
});

describe('checkCredentialAgainstIssuerPolicy', () => {
  const cluster = { issuer: CLUSTER, subject: 'system:serviceaccount:a:b', claimsMatchingExpression: null };
  const other = { ...cluster, issuer: OTHER };
  const unpinned = { issuer: GITHUB, subject: 'repo:*', claimsMatchingExpression: null };
  const pinned = {
    issuer: GITHUB,
    subject: 'repo:contoso/web:ref:refs/heads/main',
    claimsMatchingExpression: null,
  };
  const cases: Array<[string, TenantIssuerPolicy, typeof cluster, string | undefined]> = [
    ['off allows any non-shared issuer', policy('off'), other, undefined],
    ['audit allows an unlisted issuer', policy('audit'), other, undefined],
    ['enforce refuses an unlisted issuer', policy('enforce'), other, 'fic_issuer_not_trusted'],
    ['enforce allows a listed issuer', policy('enforce'), cluster, undefined],
    ['the guard refuses an unpinned shared issuer', policy('off'), unpinned, 'fic_shared_issuer_unpinned'],
    ['the guard lets a pinned one through', policy('off'), pinned, undefined],
    [
      'listing a shared issuer does not lift the guard',
      policy('enforce', { trustedIssuers: [trusted(GITHUB)] }),
      unpinned,
      'fic_shared_issuer_unpinned',
    ],
    ['the guard can be switched off', policy('off', { sharedIssuerGuard: false }), unpinned, undefined],
    [
      'enforce is checked first, guard off or not',
      policy('enforce', { sharedIssuerGuard: false }),
      unpinned,
      'fic_issuer_not_trusted',
    ],
  ];
  for (const [name, tenantPolicy, credential, expected] of cases) {
    test(name, () => {
      assert.equal(
        codeOf(() => checkCredentialAgainstIssuerPolicy(tenantPolicy, credential)),
        expected,
      );
    });
  }
});

describe('checkAssertionLifetime', () => {
  const NOW = 1_800_000_000;
  const cases: Array<[string, Record<string, unknown>, number, boolean]> = [
    ['exp − iat within the limit', { iat: NOW, exp: NOW + 300 }, 300, true],
    ['exp − iat one second over', { iat: NOW, exp: NOW + 301 }, 300, false],
    ['an old iat still counts its whole lifetime', { iat: NOW - 3000, exp: NOW + 100 }, 600, false],
    ['without iat: exp − now within the limit', { exp: NOW + 600 }, 600, true],
    ['without iat: exp − now over the limit', { exp: NOW + 601 }, 600, false],
  ];
  for (const [name, payload, max, ok] of cases) {
    test(name, () => {
      assert.equal(
        codeOf(() => checkAssertionLifetime(payload, NOW, max)),
        ok ? undefined : 'assertion_lifetime_exceeded',
      );
    });
  }

  test('the refusal is AADSTS700024 and says the lifetime and the limit', () => {
    assert.throws(
      () => checkAssertionLifetime({ iat: NOW, nbf: NOW, exp: NOW + 3600 }, NOW, 600),
      (error: unknown) => {
        assert.ok(error instanceof CredlessError);
        assert.equal(ERROR_CATALOGUE.assertion_lifetime_exceeded.aadsts, 700024);
        assert.match(error.message, /not within its valid time range.*lifetime \(3600 s\) exceeds the 600 s/);
        return true;
      },
    );
  });
});
