/**
 * The opt-in token reuse window (CREDLESS_TOKEN_REUSE_WINDOW_SECONDS, issue #16): identical federated
 * exchanges within the window get the same access token, each one still verified and recorded in the
 * sign-in log; another subject gets its own token; any directory change ends the window; off by default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  addFederatedCredential,
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestStack,
  type TestStack,
  type WorkloadScenario,
} from '@credless/testkit';

const SUBJECT = 'system:serviceaccount:rollout:workload';
const OTHER_SUBJECT = 'system:serviceaccount:rollout:other';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/** Starts a stack with `env` and the usual workload; `exchange(subject)` sends a fresh assertion each time. */
async function stackWith(env: NodeJS.ProcessEnv) {
  const stack = await startTestStack({ credless: { env } });
  const workload = await createWorkloadScenario(stack.credless, {
    issuer: stack.issuer.issuer,
    subject: SUBJECT,
    graphRoles: ['User.Read.All'],
  });
  const exchange = async (subject = SUBJECT) => {
    const assertion = await stack.issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE });
    const response = await requestToken(
      stack.credless,
      clientCredentialsForm({ clientId: workload.appId, assertion }),
      { dispatcher: stack.client },
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return {
      token: response.body['access_token'] as string,
      traceId: response.headers['x-ms-request-id'] as string,
    };
  };
  return { stack, workload, exchange };
}

describe('token reuse window on (CREDLESS_TOKEN_REUSE_WINDOW_SECONDS=60)', () => {
  let stack: TestStack;
  let workload: WorkloadScenario;
  let exchange: Awaited<ReturnType<typeof stackWith>>['exchange'];

  before(async () => {
    ({ stack, workload, exchange } = await stackWith({
      CREDLESS_TOKEN_REUSE_WINDOW_SECONDS: '60',
      // The version poll, for other replicas' writes, runs often here: it must not end a window again
      // for a write of this process's that already ended it (a write reports the version it committed).
      CREDLESS_DIRECTORY_POLL_MS: '100',
    }));
    await addFederatedCredential(
      { store: stack.credless.store, tenantId: stack.credless.tenantId },
      workload.appId,
      { name: 'other', issuer: stack.issuer.issuer, subject: OTHER_SUBJECT },
    );
  });
  after(() => stack.close());

  test('identical exchanges get the same token, and each is recorded in the sign-in log', async () => {
    const first = await exchange();
    const second = await exchange();
    assert.equal(second.token, first.token);
    assert.notEqual(second.traceId, first.traceId);
    for (const traceId of [first.traceId, second.traceId]) {
      const record = await storedSignIn(stack, traceId);
      assert.equal(record.result, 'success');
      assert.equal(record.subject, SUBJECT);
    }
  });

  test('a herd of concurrent identical exchanges shares one token', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => exchange()));
    assert.equal(new Set(answers.map((answer) => answer.token)).size, 1);
    assert.equal(new Set(answers.map((answer) => answer.traceId)).size, 20, 'twenty exchanges, not one');
  });

  test('another subject gets its own token', async () => {
    const mine = await exchange();
    const other = await exchange(OTHER_SUBJECT);
    assert.notEqual(other.token, mine.token);
    assert.equal((await exchange(OTHER_SUBJECT)).token, other.token);
    assert.equal((await exchange()).token, mine.token);
  });

  test('a change to the application ends the window', async () => {
    const before = await exchange();
    assert.equal((await exchange()).token, before.token);
    await stack.credless.store.updateApplication(stack.credless.tenantId, workload.applicationObjectId, {
      displayName: 'workload (renamed)',
    });
    const after = await exchange();
    assert.notEqual(after.token, before.token);
    assert.equal((await exchange()).token, after.token, 'and the next window starts from the new token');
  });

  test('a refused exchange is still refused inside the window', async () => {
    await exchange();
    const assertion = await stack.issuer.issueToken({
      sub: 'system:serviceaccount:rollout:stranger',
      aud: FEDERATION_AUDIENCE,
    });
    const refused = await requestToken(
      stack.credless,
      clientCredentialsForm({ clientId: workload.appId, assertion }),
      { dispatcher: stack.client },
    );
    assert.equal(refused.status, 401);
    assert.equal(refused.body['access_token'], undefined);
  });
});

describe('token reuse window off (the default)', () => {
  let stack: TestStack;
  let exchange: Awaited<ReturnType<typeof stackWith>>['exchange'];

  before(async () => {
    ({ stack, exchange } = await stackWith({}));
  });
  after(() => stack.close());

  test('identical exchanges get different tokens', async () => {
    const first = await exchange();
    const second = await exchange();
    assert.notEqual(second.token, first.token);
  });
});

/** Waits (bounded) until the sign-in recorder's next flush has stored the record with this trace id. */
async function storedSignIn(stack: TestStack, traceId: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const records = await stack.credless.store.querySignInLogs({
      tenantId: stack.credless.tenantId,
      limit: 1000,
    });
    const found = records.find((record) => record.traceId === traceId);
    if (found) return found;
    await sleep(50);
  }
  assert.fail(`no sign-in record with trace id ${traceId}`);
}
