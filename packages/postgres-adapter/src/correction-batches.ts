import { DuplicateCorrectionError, type PendingAdd } from '@crazy-digits/core/store-kit';
import { COLUMNS, columnsOf, UNNEST_PARAMETERS } from './correction-rows.js';
import type { Database } from './database.js';
import { lockChanges, nextSequences, recordChanges } from './migrations.js';

/** Adds written in one transaction at most: one commit (one WAL flush) acknowledges them all. */
const MAX_BATCH = 256;

/** Where {@link createAddBatches} writes. */
export interface AddBatchesOptions {
  database: Database;
  /** The `corrections` table, qualified with its schema. */
  table: string;
  /** The store's value of the `store` column. */
  key: string;
}

/** Adds waiting to be written, a batch per transaction. */
export interface AddBatches {
  /** Queues an add; it is written with those waiting beside it. */
  add(add: PendingAdd): void;
  /** Writes waiting adds, a batch per transaction, until none wait. */
  flush(): Promise<void>;
}

export function createAddBatches({ database, table, key }: AddBatchesOptions): AddBatches {
  const pending: PendingAdd[] = [];
  let flushing: Promise<void> | undefined;

  async function commit(batch: PendingAdd[]): Promise<void> {
    let accepted: PendingAdd[] = [];
    try {
      await database.transaction('store corrections', async (client) => {
        await lockChanges(client, database);
        const ids = batch.map((add) => add.correction.id);
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM ${table} WHERE store = $1 AND id = ANY($2::text[])`,
          [key, ids],
        );
        const taken = new Set(rows.map((row) => row.id));
        accepted = [];
        for (const add of batch) {
          if (taken.has(add.correction.id)) continue;
          taken.add(add.correction.id);
          accepted.push(add);
        }
        if (accepted.length === 0) return;
        const sequences = await nextSequences(client, database, accepted.length);
        const cs = accepted.map((add) => add.correction);
        await client.query(
          `INSERT INTO ${table} (store, ${COLUMNS}) SELECT $1, * FROM unnest(${UNNEST_PARAMETERS})`,
          [key, ...columnsOf(cs, sequences)],
        );
        await recordChanges(
          client,
          database,
          cs.map((c, i) => ({ sequence: sequences[i] ?? 0, store: key, kind: 'added', subject: c.id })),
        );
      });
    } catch (error) {
      for (const add of batch) add.reject(error);
      return;
    }
    const done = new Set(accepted);
    for (const add of batch) {
      if (done.has(add)) add.resolve(add.correction.id);
      else add.reject(new DuplicateCorrectionError(add.correction.id));
    }
  }

  function flush(): Promise<void> {
    flushing ??= (async () => {
      for (let batch = pending.splice(0, MAX_BATCH); batch.length > 0; batch = pending.splice(0, MAX_BATCH))
        await commit(batch);
      flushing = undefined;
    })();
    return flushing;
  }

  return {
    add(add) {
      pending.push(add);
      void flush();
    },
    flush,
  };
}
