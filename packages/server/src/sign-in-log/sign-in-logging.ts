/**
 * Sign-in logging as the server runs it: records each exchange outcome through the batching
 * recorder and purges old records on a timer. One object to start and to close.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ExchangeOutcome, RequestIds } from '@credless/core';
import type { Logger } from 'pino';
import type { DirectoryStore } from '../store/directory-store.ts';
import { FailureExplainer, type FailureExplainerOptions, needsExplanation } from './failure-explainer.ts';
import { SignInLogRecorder } from './recorder.ts';
import { startSignInLogRetention } from './retention.ts';
import { signInRecordFromOutcome } from './sign-in-record.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The last millisecond's formatted id prefix (see timeOrderedId). */
let lastPrefixMs = -1;
let lastPrefix = '';

/**
 * A UUIDv7-style id (millisecond time first, then random): new rows land at the end of the primary
 * key's index instead of at random places, which keeps batch inserts cheap.
 */
export function timeOrderedId(nowMs: number): string {
  const ms = Math.max(0, Math.floor(nowMs));
  // Many exchanges share a millisecond under load: format its prefix once.
  if (ms !== lastPrefixMs) {
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    lastPrefixMs = ms;
  }
  return `${lastPrefix}${randomUUID().slice(15)}`;
}

export interface SignInLoggingOptions {
  /** Give the store itself, not a write-observing wrapper: log writes are not directory changes. */
  store: Pick<DirectoryStore, 'insertSignInLogs' | 'deleteSignInLogsBefore'>;
  retentionDays: number;
  /** false: another process purges (a worker of `credless up --workers`, whose primary does). */
  purge?: boolean;
  now: () => number;
  logger: Logger;
  /** Explain failed exchanges (nearest-miss credentials) in their records; off the token path. */
  explain?: FailureExplainerOptions;
}

export interface SignInLogging {
  /** Synchronous; never throws (a token request must not fail because of logging). */
  record(outcome: ExchangeOutcome, ids: RequestIds, latencyMs: number): void;
  recorder: SignInLogRecorder;
  /** Stops the purge timer and writes what is buffered. */
  close(): Promise<void>;
}

export function startSignInLogging(options: SignInLoggingOptions): SignInLogging {
  const { logger, now } = options;
  const recorder = new SignInLogRecorder({
    store: options.store,
    warn: (message, fields) => logger.warn({ event: 'sign_in_log', ...fields }, message),
  });
  const stopRetention =
    options.purge === false
      ? () => {}
      : startSignInLogRetention({
          store: options.store,
          retentionMs: options.retentionDays * DAY_MS,
          now,
          onError: (error) => logger.warn({ err: error }, 'sign-in log purge failed'),
        });
  const explainer = options.explain
    ? new FailureExplainer({
        onError: (error) => logger.warn({ err: error }, 'could not explain a failed exchange'),
        ...options.explain,
      })
    : undefined;
  return {
    recorder,
    record(outcome, ids, latencyMs) {
      try {
        const createdAt = now();
        const record = signInRecordFromOutcome(outcome, ids, {
          id: timeOrderedId(createdAt),
          createdAt: new Date(createdAt),
          latencyMs,
        });
        if (!record) return;
        if (explainer && needsExplanation(outcome)) {
          explainer.explain(outcome, createdAt, (explanation) =>
            recorder.record(explanation ? { ...record, explanation } : record),
          );
        } else recorder.record(record);
      } catch (error) {
        logger.warn({ err: error }, 'could not build a sign-in record');
      }
    },
    async close() {
      stopRetention();
      await explainer?.drain();
      await recorder.close();
    },
  };
}
