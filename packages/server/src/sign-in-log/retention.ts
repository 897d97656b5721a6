/**
 * Retention of sign-in logs: purges records older than the configured age now and then every hour
 * (an unref'd timer, so it never keeps the process alive). Safe to run in several processes.
 * @module
 */
export interface SignInLogRetentionOptions {
  store: { deleteSignInLogsBefore(before: Date): Promise<number> };
  retentionMs: number;
  now: () => number;
  intervalMs?: number;
  onError: (error: unknown) => void;
}

export const SIGN_IN_LOG_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Starts the periodic purge; returns a function that stops it. */
export function startSignInLogRetention(options: SignInLogRetentionOptions): () => void {
  const purge = () => {
    options.store
      .deleteSignInLogsBefore(new Date(options.now() - options.retentionMs))
      .catch(options.onError);
  };
  purge();
  const timer = setInterval(purge, options.intervalMs ?? SIGN_IN_LOG_PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
