import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestStack,
} from '@credless/testkit';
import { request } from 'undici';

/** Value of one sample line, e.g. `name{a="b"} 3`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return 0;
}

test('/metrics counts exchanges by result and code, their latency, issuer fetches and cache hits', async () => {
  const stack = await startTestStack();
  const { issuer, credless, client } = stack;
  try {
    const subject = 'system:serviceaccount:default:metrics';
    const scenario = await createWorkloadScenario(credless, { issuer: issuer.issuer, subject });
    const exchange = async (sub: string) => {
      const assertion = await issuer.issueToken({ sub, aud: 'api://AzureADTokenExchange' });
      const form = clientCredentialsForm({ clientId: scenario.appId, assertion });
      return (await requestToken(credless, form, { dispatcher: client })).status;
    };
    assert.equal(await exchange(subject), 200);
    assert.equal(await exchange(subject), 200);
    assert.equal(await exchange('someone-else'), 401);

    const response = await request(`${credless.url}/metrics`, { dispatcher: client });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/plain/);
    const text = await response.body.text();
    assert.equal(sample(text, 'credless_token_exchanges_total', { result: 'issued', code: 'none' }), 2);
    assert.equal(
      sample(text, 'credless_token_exchanges_total', { result: 'refused', code: 'subject_no_match' }),
      1,
    );
    assert.equal(sample(text, 'credless_token_exchange_duration_seconds_count', { result: 'issued' }), 2);
    assert.equal(
      sample(text, 'credless_issuer_key_fetches_total', { issuer: issuer.issuer, result: 'ok' }),
      1,
    );
    assert.ok(sample(text, 'credless_directory_cache_hits_total') > 0, 'warm lookups are counted as hits');
    assert.ok(sample(text, 'credless_directory_cache_misses_total') > 0);
    assert.ok(
      sample(text, 'credless_process_cpu_user_seconds_total') > 0,
      'default process metrics are exported',
    );
  } finally {
    await stack.close();
  }
});
