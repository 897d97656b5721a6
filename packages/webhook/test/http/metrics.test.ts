/**
 * The webhook's Prometheus metrics through inject: each admission is counted once under its result
 * (mutated, skipped, error) and timed; /metrics serves the text format with the process metrics.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { AdmissionOutcome } from '../../src/admission/handle.ts';
import { allowed, denied } from '../../src/admission/review.ts';
import { buildWebhookApp } from '../../src/http/app.ts';
import { admissionResult } from '../../src/http/metrics.ts';
import { CLIENT_ID_ANNOTATION } from '../../src/mutation/constants.ts';
import { StaticServiceAccountSource } from '../../src/service-accounts/static-source.ts';
import { CLIENT_ID, config, pod, serviceAccount } from '../support.ts';

const accounts = new StaticServiceAccountSource([serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID })]);
const app = buildWebhookApp({ config, serviceAccounts: accounts });
after(() => app.close());

const review = (request: Record<string, unknown> = {}) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'apps',
    operation: 'CREATE',
    object: pod(),
    ...request,
  },
});

/** The value of one sample line of the exposition, 0 when absent. */
async function sample(line: string): Promise<number> {
  const response = await app.inject({ url: '/metrics' });
  const found = response.body.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}
const counted = (result: string) => sample(`credless_webhook_admission_requests_total{result="${result}"}`);
const timed = (result: string) =>
  sample(`credless_webhook_admission_duration_seconds_count{result="${result}"}`);

describe('webhook metrics', () => {
  test('/metrics is Prometheus text with every result series and the process metrics', async () => {
    const response = await app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (const result of ['mutated', 'skipped', 'error'])
      assert.match(
        response.body,
        new RegExp(`^credless_webhook_admission_requests_total\\{result="${result}"\\} \\d+$`, 'm'),
      );
    assert.match(response.body, /^credless_webhook_process_cpu_seconds_total /m);
  });

  const cases: Array<[string, unknown, 'mutated' | 'skipped' | 'error']> = [
    ['a labelled pod at CREATE', review(), 'mutated'],
    ['an UPDATE', review({ operation: 'UPDATE' }), 'skipped'],
    ['an unlabelled pod', review({ object: pod({}, { labels: {} }) }), 'skipped'],
    ['a missing ServiceAccount (denied)', review({ object: pod({ serviceAccountName: 'nope' }) }), 'error'],
    ['a review without a uid (400)', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'error'],
  ];
  for (const [name, body, result] of cases)
    test(`${name} counts as ${result}`, async () => {
      const before = { count: await counted(result), timed: await timed(result) };
      const others = await Promise.all(
        ['mutated', 'skipped', 'error'].filter((r) => r !== result).map(counted),
      );
      await app.inject({ method: 'POST', url: '/mutate-v1-pod', payload: body as object });
      assert.equal(await counted(result), before.count + 1);
      assert.equal(await timed(result), before.timed + 1);
      const othersAfter = await Promise.all(
        ['mutated', 'skipped', 'error'].filter((r) => r !== result).map(counted),
      );
      assert.deepEqual(othersAfter, others);
    });

  test('classification of outcomes', () => {
    const v1 = 'admission.k8s.io/v1';
    const cases: Array<[string, AdmissionOutcome, string]> = [
      [
        'allowed with a patch',
        { status: 200, body: allowed(v1, 'u', [{ op: 'add', path: '/a', value: 1 }]) },
        'mutated',
      ],
      ['allowed untouched', { status: 200, body: allowed(v1, 'u') }, 'skipped'],
      ['denied', { status: 200, body: denied(v1, 'u', new Error('x')) }, 'error'],
      ['no uid to answer', { status: 400, body: { message: 'x' } }, 'error'],
    ];
    for (const [name, outcome, expected] of cases) assert.equal(admissionResult(outcome), expected, name);
  });
});
