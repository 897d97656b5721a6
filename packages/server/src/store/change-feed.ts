/**
 * Directory change notification on PostgreSQL (LISTEN/NOTIFY), so that replicas sharing one database
 * drop their caches within milliseconds of a write instead of at the next version poll.
 *
 * After every committed directory write the store sends `NOTIFY credless_directory, '<schema>:<version>'`
 * (from its one post-commit change hook), so a listener never hears of a write before it is visible.
 * Channels are database-wide, hence the schema in the payload: listeners ignore writes to other schemas.
 *
 * The listener is one dedicated connection (not from the pool: a pooled connection would be handed to
 * queries and LISTEN would be lost). When it drops, it reconnects with exponential backoff and then
 * reports a change, since notifications sent while it was away are lost.
 * @module
 */
import { sql } from 'kysely';
import pg from 'pg';
import { postgresConnection } from './database.ts';
import type { Db } from './store-context.ts';

export const DIRECTORY_CHANNEL = 'credless_directory';

/**
 * Announces a committed directory write to every listener of the database. Sent by the store's
 * post-commit change hook, so a listener never hears of a write before it is visible; a notification
 * lost between commit and send (the database went away) is covered by the listeners' version poll.
 */
export async function notifyDirectoryChange(db: Db): Promise<void> {
  await sql`select pg_notify(${DIRECTORY_CHANNEL}, current_schema() || ':' || version::text)
    from directory_version where id = 1`.execute(db);
}

export interface DirectoryChangeFeedOptions {
  /** The same `postgres://…[?schema=…]` URL the store was opened with. */
  databaseUrl: string;
  /** A write was committed, with the directory version when it was announced (absent: may have been missed): drop caches. */
  onChange: (version?: number) => void;
  /** The feed started (true) or stopped (false) listening; e.g. to poll faster while it is down. */
  onListeningChange?: (listening: boolean) => void;
  onError?: (error: unknown) => void;
  /** First reconnect delay; doubles up to maxBackoffMs. Default 100 ms. */
  minBackoffMs?: number;
  /** Default 5 s. */
  maxBackoffMs?: number;
  /** Shown in pg_stat_activity. Default 'credless-change-feed'. */
  applicationName?: string;
}

export interface DirectoryChangeFeed {
  /** Whether the listening connection is currently up. */
  readonly listening: boolean;
  stop(): Promise<void>;
}

/**
 * Starts listening. Resolves after the first connection attempt; if that fails the feed keeps retrying
 * in the background (the caller's version poll covers the gap), so start-up never fails on it.
 */
export async function startDirectoryChangeFeed(
  options: DirectoryChangeFeedOptions,
): Promise<DirectoryChangeFeed> {
  const { config, schema } = postgresConnection(options.databaseUrl);
  const minBackoffMs = options.minBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const reportError = options.onError ?? (() => {});
  let client: pg.Client | undefined;
  let listening = false;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let ourSchema = schema;

  const setListening = (value: boolean) => {
    if (listening === value) return;
    listening = value;
    options.onListeningChange?.(value);
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== DIRECTORY_CHANNEL) return;
    const payload = message.payload ?? '';
    const separator = Math.max(0, payload.lastIndexOf(':'));
    const notifiedSchema = payload.slice(0, separator);
    if (ourSchema !== undefined && notifiedSchema !== ourSchema) return;
    const version = Number(payload.slice(separator + 1));
    options.onChange(Number.isSafeInteger(version) && version > 0 ? version : undefined);
  };

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** failures);
    failures += 1;
    // Jitter keeps replicas from reconnecting in lockstep after a database restart.
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect();
      },
      delay / 2 + Math.random() * (delay / 2),
    );
    retryTimer.unref();
  };

  const dropClient = (candidate: pg.Client) => {
    if (client !== candidate) return;
    client = undefined;
    setListening(false);
    candidate.removeAllListeners('notification');
    candidate.end().catch(() => {});
    scheduleReconnect();
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const candidate = new pg.Client({
      ...config,
      keepAlive: true,
      application_name: options.applicationName ?? 'credless-change-feed',
    });
    client = candidate;
    candidate.on('error', (error) => {
      reportError(error);
      dropClient(candidate);
    });
    candidate.on('end', () => dropClient(candidate));
    candidate.on('notification', onNotification);
    try {
      await candidate.connect();
      const { rows } = await candidate.query<{ schema: string }>('select current_schema() as schema');
      ourSchema = rows[0]?.schema ?? ourSchema;
      await candidate.query(`LISTEN ${DIRECTORY_CHANNEL}`);
    } catch (error) {
      if (!stopped) reportError(error);
      dropClient(candidate);
      return;
    }
    if (client !== candidate || stopped) return;
    failures = 0;
    setListening(true);
    // Whatever was written before LISTEN took effect (or while disconnected) was not announced to us.
    options.onChange();
  };

  await connect();

  return {
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      const current = client;
      client = undefined;
      // Not reported: stopping is not a connection loss to compensate for.
      listening = false;
      if (current) {
        current.removeAllListeners('notification');
        await current.end().catch(() => {});
      }
    },
  };
}
