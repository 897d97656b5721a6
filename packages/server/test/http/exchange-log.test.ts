import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestStack,
} from '@credless/testkit';
import pino from 'pino';

test('every refused exchange is logged with its code and step, and no token ever reaches the log', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const stack = await startTestStack({ credless: { logger: pino({ level: 'debug' }, sink) } });
  const { issuer, credless, client } = stack;
  try {
    const subject = 'repo:contoso/app:ref:refs/heads/main';
    const scenario = await createWorkloadScenario(credless, { issuer: issuer.issuer, subject });
    const exchange = async (sub: string) => {
      const assertion = await issuer.issueToken({ sub, aud: 'api://AzureADTokenExchange' });
      const form = clientCredentialsForm({ clientId: scenario.appId, assertion });
      const { status, body } = await requestToken(credless, form, { dispatcher: client });
      return { assertion, body, status };
    };
    const refused = await exchange('repo:contoso/other:ref:refs/heads/main');
    const issued = await exchange(subject);
    assert.equal(refused.status, 401);
    assert.equal(issued.status, 200);

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const exchanges = records.filter((record) => record['event'] === 'token_exchange');
    const refusal = exchanges.find((record) => record['result'] === 'refused');
    assert.ok(refusal, lines.join('\n'));
    assert.equal(refusal['code'], 'subject_no_match');
    assert.equal(refusal['step'], 'matchCredential');
    assert.equal(refusal['clientId'], scenario.appId);
    assert.equal(refusal['issuer'], issuer.issuer);
    assert.equal(refusal['traceId'], (refused.body['trace_id'] as string) ?? undefined);
    assert.ok(
      exchanges.some((record) => record['result'] === 'issued' && record['credential'] === 'workload'),
    );

    const everything = lines.join('\n');
    for (const secret of [refused.assertion, issued.assertion, issued.body['access_token'] as string]) {
      const signature = secret.split('.')[2]!;
      assert.ok(!everything.includes(signature), 'a token signature appeared in the log');
    }
  } finally {
    await stack.close();
  }
});
