import type { PoolClient } from 'pg';
import { type Database, openDatabase, type PostgresConnectionOptions } from './database.js';

/**
 * Something another process (or this one) wrote. `store` is `'corrections:<name>'` or
 * `'models:<name>'`; `kind` is `'added'` or `'removed'` (`subject`: the correction's id),
 * `'cleared'`, or `'current'` (`subject`: the model version now current).
 */
export interface Change {
  sequence: number;
  store: string;
  kind: 'added' | 'removed' | 'cleared' | 'current';
  subject?: string;
}

/** What a change feed hands its listener. */
export type ChangeBatch =
  | { type: 'changes'; changes: Change[] }
  /**
   * The feed was away longer than the log keeps changes (they were pruned): what the listener
   * holds may be stale in any way. Reload everything.
   */
  | { type: 'reset'; sequence: number };

/** Options for {@link createPostgresChangeFeed}. */
export interface PostgresChangeFeedOptions extends PostgresConnectionOptions {
  /**
   * Called with each batch of changes, in order, one call at a time: the next batch waits for
   * the promise it returns. A listener that throws is reported to `onError`; the feed goes on.
   */
  onChange: (batch: ChangeBatch) => void | Promise<void>;
  /**
   * Where to start: after this sequence number (e.g. one saved before a restart). Default: the
   * newest change when the feed opens, so only later changes are reported.
   */
  after?: number;
  /** Told when the connection drops (the feed reconnects) or a listener throws. Default: nothing. */
  onError?: (error: unknown) => void;
  /** Delay before the first reconnection attempt, doubling up to 2 s. Default 100 ms. @internal */
  reconnectDelayMs?: number;
}

/** A running change feed. */
export interface PostgresChangeFeed {
  /** The sequence number of the last change handed to the listener. */
  readonly sequence: number;
  /** True while the feed has a listening connection. */
  readonly connected: boolean;
  /**
   * Reads every change committed so far, hands it to the listener and resolves once the listener
   * is done with it: afterwards this process has seen whatever any other had committed before.
   */
  sync(): Promise<number>;
  /** Stops listening and releases the connection (and the pool, when the feed opened it). */
  close(): Promise<void>;
}

const CATCH_UP_PAGE = 1000;

/**
 * Follows the schema's change log: `LISTEN`s for the `NOTIFY` every write sends, and on each one
 * reads the log from the last sequence number it handed out. A dropped connection is retried
 * (100 ms, doubling to 2 s) and, once back, the log is read from that same sequence number, so
 * nothing committed meanwhile is missed and nothing depends on clocks. Notifications only say
 * "there is more"; the log is the truth.
 */
export async function createPostgresChangeFeed(
  options: PostgresChangeFeedOptions,
): Promise<PostgresChangeFeed> {
  const database: Database = await openDatabase(options);
  const changes = database.table('changes');
  const firstDelay = options.reconnectDelayMs ?? 100;
  let sequence = options.after ?? -1;
  let client: PoolClient | undefined;
  let closed = false;
  let delay = firstDelay;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Catch-ups run one after another; requests made before the next one starts share it.
  let tail: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | undefined;

  const report = (error: unknown) => options.onError?.(error);

  async function catchUp(): Promise<void> {
    for (;;) {
      const { rows: horizon } = await database.query<{ pruned_through: string }>(
        'read the change log',
        `SELECT pruned_through FROM ${database.table('change_horizon')}`,
      );
      const pruned = Number(horizon[0]?.pruned_through ?? 0);
      const { rows } = await database.query<{
        sequence: string;
        store: string;
        kind: string;
        subject: string | null;
      }>(
        'read the change log',
        `SELECT sequence, store, kind, subject FROM ${changes} WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
        [sequence, CATCH_UP_PAGE],
      );
      if (sequence >= 0 && pruned > sequence) {
        const newest = rows.at(-1);
        const { rows: latest } = await database.query<{ sequence: string | null }>(
          'read the change log',
          `SELECT max(sequence) AS sequence FROM ${changes}`,
        );
        sequence = Number(latest[0]?.sequence ?? newest?.sequence ?? pruned);
        await deliver({ type: 'reset', sequence });
        continue;
      }
      if (rows.length === 0) return;
      const batch: Change[] = rows.map((row) => ({
        sequence: Number(row.sequence),
        store: row.store,
        kind: row.kind as Change['kind'],
        ...(row.subject === null ? {} : { subject: row.subject }),
      }));
      sequence = batch.at(-1)?.sequence ?? sequence;
      await deliver({ type: 'changes', changes: batch });
      if (rows.length < CATCH_UP_PAGE) return;
    }
  }

  async function deliver(batch: ChangeBatch) {
    try {
      await options.onChange(batch);
    } catch (error) {
      report(error);
    }
  }

  /** A catch-up that starts after the one in progress, shared by every request made until it starts. */
  function requestCatchUp(): Promise<void> {
    if (waiting) return waiting;
    const next = tail.then(() => {
      waiting = undefined;
      return catchUp();
    });
    waiting = next;
    tail = next.catch(report);
    return next;
  }

  async function connect(): Promise<void> {
    if (closed) return;
    let next: PoolClient | undefined;
    try {
      next = await database.pool.connect();
      const connection = next;
      connection.on('notification', (message) => {
        if (message.channel === database.channel) void requestCatchUp().catch(report);
      });
      connection.on('error', (error) => lost(connection, error));
      await connection.query(`LISTEN ${database.channel}`);
      client = connection;
      delay = firstDelay;
      // Whatever was committed while nobody listened.
      await requestCatchUp();
    } catch (error) {
      report(error);
      if (next) lost(next, error);
      else retry();
    }
  }

  function lost(connection: PoolClient, error: unknown) {
    if (client !== connection && client !== undefined) return;
    client = undefined;
    connection.removeAllListeners('notification');
    connection.removeAllListeners('error');
    connection.on('error', () => {});
    connection.release(error instanceof Error ? error : new Error(String(error)));
    if (!closed) {
      report(error);
      retry();
    }
  }

  function retry() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 2000);
  }

  if (sequence < 0) {
    const { rows } = await database.query<{ sequence: string | null }>(
      'read the change log',
      `SELECT max(sequence) AS sequence FROM ${changes}`,
    );
    sequence = Number(rows[0]?.sequence ?? 0);
  }
  await connect();

  return {
    get sequence() {
      return sequence;
    },
    get connected() {
      return client !== undefined;
    },
    async sync() {
      await requestCatchUp();
      return sequence;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      const connection = client;
      client = undefined;
      if (connection) {
        connection.removeAllListeners('notification');
        await connection.query(`UNLISTEN ${database.channel}`).catch(() => {});
        connection.removeAllListeners('error');
        connection.release();
      }
      await tail;
      await database.end();
    },
  };
}
