import { StoreClosedError } from '@crazy-digits/core/store-kit';
import type { PoolClient } from 'pg';
import { type Database, LOCKS, openDatabase, type PostgresConnectionOptions } from './database.js';
import { asDatabaseError, DatabaseUnavailableError } from './errors.js';

/** Options for {@link createPostgresRetrainLock}. */
export type PostgresRetrainLockOptions = PostgresConnectionOptions;

/** What a retrain running under the lock is told. */
export interface RetrainTurn {
  /**
   * The newest change committed when the lock was taken: the run must train on every correction
   * up to it (e.g. after `feed.sync()`), since later requests asked before it count it as done.
   */
  through: number;
  /** Aborted when the lock's connection is lost: another instance may then take the lock. */
  signal: AbortSignal;
}

/** What {@link PostgresRetrainLock.run} did. */
export type RetrainTurnResult<T> = { ran: true; result: T } | { ran: false; through: number };

/** One retrain at a time per scope, across every process on the database. */
export interface PostgresRetrainLock {
  /** The newest committed change: note it when a retrain is asked for, and pass it to `run`. */
  askedAt(): Promise<number>;
  /**
   * Waits for the scope's lock (a session advisory lock on a connection of its own, released
   * when `work` ends, or by the server when this process dies), then runs `work`, unless a run
   * for the scope that started after `askedAt` has finished meanwhile: that run already trained
   * on everything the asker could have meant, so this one resolves `{ ran: false }` at once.
   */
  run<T>(
    scope: string,
    askedAt: number,
    work: (turn: RetrainTurn) => Promise<T>,
  ): Promise<RetrainTurnResult<T>>;
  /**
   * Waits for the scope's lock and runs `work` under it, whatever ran before: for a change of the
   * served model (a rollback, a reset) that no retrain on any instance may overlap. Records no
   * retrain, so it covers no request.
   */
  hold<T>(scope: string, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Releases the pool when the lock opened it. Runs in progress keep their connection until they end. */
  close(): Promise<void>;
}

/**
 * The cluster's retrain lock: when instances behind a load balancer are all asked to retrain,
 * one trains and the others find its result. The lock is session-scoped, so a retrainer that
 * crashes (or loses its connection) leaves none behind; and which requests a run covers is
 * decided by change sequence numbers kept in the database (`retrains`), never by clocks.
 */
export async function createPostgresRetrainLock(
  options: PostgresRetrainLockOptions,
): Promise<PostgresRetrainLock> {
  const database: Database = await openDatabase(options);
  const retrains = database.table('retrains');
  let closed = false;

  async function newest(client?: PoolClient): Promise<number> {
    const text = `SELECT coalesce(max(sequence), 0) AS sequence FROM ${database.table('changes')}`;
    const { rows } = client
      ? await client.query<{ sequence: string }>(text)
      : await database.query<{ sequence: string }>('read the change log', text);
    return Number(rows[0]?.sequence ?? 0);
  }

  /**
   * Runs `work` holding the scope's session advisory lock, on a connection of its own; `signal`
   * aborts when that connection is lost (the server has then released the lock).
   */
  async function locked<T>(
    scope: string,
    work: (client: PoolClient, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (closed) throw new StoreClosedError();
    let client: PoolClient;
    try {
      client = await database.pool.connect();
    } catch (error) {
      throw asDatabaseError('could not take the retrain lock', error);
    }
    const lost = new AbortController();
    const onError = (error: Error) =>
      lost.abort(
        new DatabaseUnavailableError('the retrain lock was lost with its connection', { cause: error }),
      );
    client.on('error', onError);
    const key = [LOCKS.retrain, `${database.schema}:${scope}`];
    let failed: unknown;
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', key);
      try {
        return await work(client, lost.signal);
      } finally {
        if (!lost.signal.aborted) await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', key);
      }
    } catch (error) {
      failed = error;
      throw asDatabaseError('could not run under the retrain lock', error);
    } finally {
      client.off('error', onError);
      client.on('error', () => {});
      // A connection whose lock state is unknown is closed, which releases any lock it held.
      client.release(failed instanceof Error ? failed : undefined);
    }
  }

  return {
    async askedAt() {
      if (closed) throw new StoreClosedError();
      return newest();
    },
    async run(scope, askedAt, work) {
      return locked(scope, async (client, signal) => {
        const { rows } = await client.query<{ through_sequence: string }>(
          `SELECT through_sequence FROM ${retrains} WHERE scope = $1`,
          [scope],
        );
        const done = Number(rows[0]?.through_sequence ?? -1);
        if (done >= askedAt) return { ran: false, through: done };
        const through = await newest(client);
        const result = await work({ through, signal });
        signal.throwIfAborted();
        await client.query(
          `INSERT INTO ${retrains} (scope, through_sequence) VALUES ($1, $2)
           ON CONFLICT (scope) DO UPDATE SET through_sequence = greatest(${retrains}.through_sequence, EXCLUDED.through_sequence)`,
          [scope, through],
        );
        return { ran: true, result };
      });
    },
    hold(scope, work) {
      return locked(scope, async (_client, signal) => {
        const result = await work(signal);
        signal.throwIfAborted();
        return result;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await database.end();
    },
  };
}
