/**
 * Prometheus metrics of one credless process, in its own registry (no globals): token exchanges by
 * result and error code, their latency, external issuer fetches, and directory cache efficiency.
 * @module
 */
import { CredlessError, type ExchangeOutcome } from '@credless/core';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface CacheStats {
  hits: number;
  misses: number;
}

export interface CredlessMetrics {
  registry: Registry;
  observeExchange(outcome: ExchangeOutcome, latencySeconds: number): void;
  observeIssuerFetch(event: { issuer: string; ok: boolean }): void;
}

/** Counts that only ever grow, read from a live object at scrape time. */
function counterFromStats(registry: Registry, name: string, help: string, read: () => number): Counter {
  let reported = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const current = read();
      if (current > reported) this.inc(current - reported);
      reported = current;
    },
  });
}

export function createMetrics(
  options: { directoryCache?: CacheStats; defaultMetrics?: boolean } = {},
): CredlessMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'credless_' });

  // Issued exchanges are counted in a plain integer and handed to prom-client at scrape time: its
  // labelled inc() hashes and validates the labels on every call, on the token path.
  let issuedExchanges = 0;
  let issuedReported = 0;
  const exchanges = new Counter({
    name: 'credless_token_exchanges_total',
    help: 'Token exchanges by result (issued or refused) and error code.',
    labelNames: ['result', 'code'] as const,
    registers: [registry],
    collect() {
      if (issuedExchanges > issuedReported) {
        this.inc({ result: 'issued', code: 'none' }, issuedExchanges - issuedReported);
        issuedReported = issuedExchanges;
      }
    },
  });
  const latency = new Histogram({
    name: 'credless_token_exchange_duration_seconds',
    help: 'Time to answer a token request, from the request to the decision.',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const issuerFetches = new Counter({
    name: 'credless_issuer_key_fetches_total',
    help: "Fetches of external issuers' discovery documents and JWKS, by issuer and outcome.",
    labelNames: ['issuer', 'result'] as const,
    registers: [registry],
  });
  const cache = options.directoryCache;
  if (cache) {
    counterFromStats(
      registry,
      'credless_directory_cache_hits_total',
      'Token-path directory lookups answered from memory.',
      () => cache.hits,
    );
    counterFromStats(
      registry,
      'credless_directory_cache_misses_total',
      'Token-path directory lookups that read the store.',
      () => cache.misses,
    );
  }

  // Bound once, so an observation does not build its label object and closure each time.
  const issuedLatency = latency.labels('issued');
  const refusedLatency = latency.labels('refused');

  return {
    registry,
    observeExchange(outcome, latencySeconds) {
      if (outcome.issued) {
        issuedExchanges += 1;
        issuedLatency.observe(latencySeconds);
        return;
      }
      const code = outcome.error instanceof CredlessError ? outcome.error.code : 'server_error';
      exchanges.inc({ result: 'refused', code });
      refusedLatency.observe(latencySeconds);
    },
    observeIssuerFetch({ issuer, ok }) {
      issuerFetches.inc({ issuer, result: ok ? 'ok' : 'failed' });
    },
  };
}
