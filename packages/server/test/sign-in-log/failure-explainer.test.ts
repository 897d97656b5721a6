/** Explaining failed exchanges off the token path: what is explained, the in-flight bound, the size bound. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredlessError, type ExchangeOutcome, explainToken, peekAssertion } from '@credless/core';
import {
  FailureExplainer,
  MAX_RECORDED_EXPLANATION_CHARS,
  needsExplanation,
  slimExplanation,
} from '../../src/sign-in-log/failure-explainer.ts';
import type { DirectoryStore } from '../../src/store/directory-store.ts';
import { openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import type { SignInExplanation } from '../../src/store/sign-in-logs.ts';

const ISSUER = 'https://issuer.example/cluster';
const SUBJECT = 'system:serviceaccount:default:workload';
const NOW_MS = Date.UTC(2026, 0, 1);

/** An unsigned-looking but structurally valid compact JWS (the explainer never verifies). */
const assertionFor = (claims: Record<string, unknown>) => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return peekAssertion(`${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.${'A'.repeat(342)}`);
};

describe('FailureExplainer', () => {
  let dir: string;
  let store: DirectoryStore;
  let outcome: ExchangeOutcome;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-explainer-'));
    store = await openDirectoryStore({ dataDir: dir });
    await store.migrate();
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const application = await store.createApplication(tenant.id, { displayName: 'workload' });
    await store.createFederatedIdentityCredential(tenant.id, application.id, {
      name: 'workload-fic',
      issuer: ISSUER,
      subject: SUBJECT,
    });
    const assertion = assertionFor({
      iss: ISSUER,
      sub: SUBJECT.toUpperCase(),
      aud: 'api://AzureADTokenExchange',
      exp: NOW_MS / 1000 + 60,
    });
    outcome = {
      context: {
        input: { tenant: tenant.id, version: 'v2', params: new Map() },
        tenant,
        client: { application, servicePrincipal: undefined },
        request: {
          clientId: application.appId,
        } as NonNullable<ExchangeOutcome['context']['request']>,
        assertion,
      },
      failedStep: 'matchCredential',
      error: new CredlessError('subject_case_mismatch', { subject: SUBJECT.toUpperCase() }),
    };
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('only failures with a client and an assertion, and no matched credential, are explained', () => {
    assert.equal(needsExplanation(outcome), true);
    const { tenant: _tenant, ...noTenant } = outcome.context;
    assert.equal(needsExplanation({ ...outcome, context: noTenant }), false);
    assert.equal(needsExplanation({ context: outcome.context, issued: {} as never }), false);
    // A certificate assertion (iss = client id) is not about federated credentials.
    const clientId = outcome.context.request!.clientId;
    const certificate = { ...outcome.context, assertion: assertionFor({ iss: clientId, sub: clientId }) };
    assert.equal(needsExplanation({ ...outcome, context: certificate }), false);
  });

  test('explains with the stored credentials and says the claims were verified', async () => {
    const explainer = new FailureExplainer({
      store,
      baseUrl: () => 'https://localhost:8443',
      clockSkewSeconds: 30,
    });
    const delivered = await new Promise<SignInExplanation | null>((resolve) =>
      explainer.explain(outcome, NOW_MS, resolve),
    );
    assert.ok(delivered);
    assert.equal(delivered.assertionVerified, true);
    assert.equal(delivered.nearestMisses[0]?.name, 'workload-fic');
    assert.equal(delivered.nearestMisses[0]?.fields[1]?.status, 'case_only');
    const early = await new Promise<SignInExplanation | null>((resolve) =>
      explainer.explain({ ...outcome, failedStep: 'findCandidateCredentials' }, NOW_MS, resolve),
    );
    assert.equal(early?.assertionVerified, false);
  });

  test('beyond maxInFlight a failure is delivered at once without an explanation; drain waits', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const slowStore = {
      listFederatedIdentityCredentialsForExplanation: async (
        ...args: Parameters<DirectoryStore['listFederatedIdentityCredentialsForExplanation']>
      ) => {
        await gate;
        return store.listFederatedIdentityCredentialsForExplanation(...args);
      },
    };
    const explainer = new FailureExplainer({
      store: slowStore,
      baseUrl: () => '',
      clockSkewSeconds: 30,
      maxInFlight: 1,
    });
    const results: Array<SignInExplanation | null> = [];
    explainer.explain(outcome, NOW_MS, (explanation) => results.push(explanation));
    explainer.explain(outcome, NOW_MS, (explanation) => results.push(explanation));
    assert.deepEqual(results, [null]);
    assert.equal(explainer.skipped, 1);
    const drained = explainer.drain();
    open();
    await drained;
    assert.equal(results.length, 2);
    assert.ok(results[1]);
  });

  test('a lookup that fails delivers null and is reported', async () => {
    const errors: unknown[] = [];
    const explainer = new FailureExplainer({
      store: {
        listFederatedIdentityCredentialsForExplanation: async () => Promise.reject(new Error('down')),
      },
      baseUrl: () => '',
      clockSkewSeconds: 30,
      onError: (error) => errors.push(error),
    });
    const delivered = await new Promise((resolve) => explainer.explain(outcome, NOW_MS, resolve));
    assert.equal(delivered, null);
    assert.equal(errors.length, 1);
  });

  test('slimExplanation keeps what is stored under the size bound', () => {
    const expression = Array.from({ length: 16 }, (_, i) => `claims['c${i}'] eq '${'v'.repeat(30)}'`).join(
      ' and ',
    );
    const credentials = Array.from({ length: 3 }, (_, i) => ({
      id: `id-${i}`,
      tenantId: 't',
      applicationId: 'a',
      name: `expr-${i}`,
      issuer: ISSUER,
      subject: null,
      claimsMatchingExpression: { value: expression, languageVersion: 1 as const },
      audiences: ['api://AzureADTokenExchange'] as [string],
      description: null,
      createdDateTime: '2026-01-01T00:00:00Z',
    }));
    const claims = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`c${i}`, 'w'.repeat(300)]));
    const explanation = {
      ...explainToken({
        payload: { iss: ISSUER, sub: 'x', aud: 'y', ...claims },
        nowSeconds: 0,
        clockSkewSeconds: 30,
        credentials,
      }),
      assertionVerified: true,
    };
    assert.ok(JSON.stringify(explanation).length > MAX_RECORDED_EXPLANATION_CHARS);
    const slim = slimExplanation(explanation);
    assert.ok(JSON.stringify(slim).length <= MAX_RECORDED_EXPLANATION_CHARS);
    assert.ok(slim.nearestMisses.length >= 1);
    assert.equal(slim.summary, explanation.summary);
  });
});
