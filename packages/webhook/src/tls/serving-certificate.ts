/**
 * The webhook's serving certificate from files (a mounted Secret, cert-manager, `credless webhook
 * certs`), reloaded without a restart: the files' directories are watched (Secret volumes swap a
 * symlink, which only a directory watch sees) with a periodic re-read as a safety net; a new, valid
 * pair replaces the TLS context for new connections via `setSecureContext`. A half-written or
 * mismatched pair is ignored until it becomes valid, so a rotation never takes the webhook down.
 * @module
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface CertificatePair {
  cert: string;
  key: string;
}

/** Reads both files and checks that the key belongs to the certificate (throws otherwise). */
export async function readCertificatePair(files: CertificateFiles): Promise<CertificatePair> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  // Throws on unparsable PEM and on a key that does not match the certificate.
  createSecureContext({ cert, key });
  return { cert, key };
}

export interface CertificateWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Called with every new valid pair (not with the one already in use). */
  onChange: (pair: CertificatePair) => void;
  log?: (message: string) => void;
  /** Re-read this often even without a file event (0 disables). */
  pollIntervalMs?: number;
  /** Wait for writes to settle after an event. */
  debounceMs?: number;
}

export function watchCertificateFiles(
  files: CertificateFiles,
  current: CertificatePair,
  options: WatchOptions,
): CertificateWatcher {
  const log = options.log ?? (() => {});
  let last = current;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastFailure = '';

  const reload = async () => {
    timer = undefined;
    if (closed) return;
    try {
      const pair = await readCertificatePair(files);
      lastFailure = '';
      if (closed || (pair.cert === last.cert && pair.key === last.key)) return;
      last = pair;
      options.onChange(pair);
      log(`serving certificate reloaded from ${files.certFile}`);
    } catch (error) {
      // Rotation writes the two files one after the other: wait for the pair to match again.
      const message = (error as Error).message;
      if (message !== lastFailure) log(`serving certificate not reloaded yet: ${message}`);
      lastFailure = message;
    }
  };
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 100);
    timer.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(files.certFile), dirname(files.keyFile)])) {
    try {
      const watcher = watch(dir, { persistent: false }, schedule);
      watcher.on('error', (error) => log(`cannot watch ${dir}: ${error.message}`));
      watchers.push(watcher);
    } catch (error) {
      log(`cannot watch ${dir} (${(error as Error).message}); relying on the periodic re-read`);
    }
  }
  const pollMs = options.pollIntervalMs ?? 60_000;
  const poll = pollMs > 0 ? setInterval(schedule, pollMs) : undefined;
  poll?.unref();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    },
  };
}
