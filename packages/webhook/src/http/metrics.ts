/**
 * Prometheus metrics of the webhook, in its own registry (no globals): admission requests by result
 * and their latency, plus the process's default metrics. Results: `mutated` (allowed with a patch),
 * `skipped` (allowed untouched: not a labelled pod at CREATE), `error` (denied, or no answerable review).
 * @module
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AdmissionOutcome } from '../admission/handle.ts';

export const ADMISSION_RESULTS = ['mutated', 'skipped', 'error'] as const;
export type AdmissionResult = (typeof ADMISSION_RESULTS)[number];

export interface WebhookMetrics {
  registry: Registry;
  observeAdmission(outcome: AdmissionOutcome, latencySeconds: number): void;
}

export function admissionResult(outcome: AdmissionOutcome): AdmissionResult {
  if (outcome.status !== 200 || !outcome.body.response.allowed) return 'error';
  return outcome.body.response.patch === undefined ? 'skipped' : 'mutated';
}

export function createWebhookMetrics(options: { defaultMetrics?: boolean } = {}): WebhookMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'credless_webhook_' });

  const requests = new Counter({
    name: 'credless_webhook_admission_requests_total',
    help: 'Admission reviews answered, by result (mutated, skipped, error).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'credless_webhook_admission_duration_seconds',
    help: 'Time to answer an admission review, by result.',
    labelNames: ['result'] as const,
    // The API server's default webhook timeout is 10 s; mutations are sub-millisecond when cached.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Every result is exported from the start, so a rate over a result never lacks its series.
  for (const result of ADMISSION_RESULTS) {
    requests.inc({ result }, 0);
    latency.zero({ result });
  }

  return {
    registry,
    observeAdmission(outcome, latencySeconds) {
      const result = admissionResult(outcome);
      requests.inc({ result });
      latency.observe({ result }, latencySeconds);
    },
  };
}
