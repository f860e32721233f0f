import {
  type Correction,
  type CorrectionFilter,
  type CorrectionStore,
  DuplicateCorrectionError,
  InvalidCorrectionError,
  listPage,
  type PendingAdd,
  queueAdd,
  StoreClosedError,
  withPortableFormat,
} from '@crazy-digits/core';
import { type Database, openDatabase, type PostgresConnectionOptions } from './database.js';
import { lockChanges, nextSequences, recordChanges } from './migrations.js';

/** Options for {@link createPostgresCorrectionStore}. */
export interface PostgresCorrectionStoreOptions extends PostgresConnectionOptions {
  /**
   * Which store of the schema this is: several live side by side in one table (e.g. `'global'`
   * and `'users'`), each with its own ids and order. Default `'default'`.
   */
  name?: string;
}

/** The `store` column's value for a corrections store, and the change feed's `store` field. */
export const correctionsStoreKey = (name: string) => `corrections:${name}`;

const STORE_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

/** Checks a store name given to a Postgres store. */
export function checkStoreName(name: string): string {
  if (!STORE_NAME.test(name))
    throw new InvalidCorrectionError(`store name must match ${STORE_NAME}, got "${name}"`);
  return name;
}

interface Row {
  id: string;
  sequence: string;
  user_id: string | null;
  label: number;
  image: Buffer;
  created_at: number;
  session_id: string | null;
  predicted_digit: number | null;
  predicted_confidence: number | null;
  model_version: string | null;
}

const COLUMNS =
  'id, sequence, user_id, label, image, created_at, session_id, predicted_digit, predicted_confidence, model_version';

/** The image as stored: 784 little-endian float32 values. */
function imageBytes(image: Float32Array): Buffer {
  const bytes = Buffer.alloc(image.length * 4);
  image.forEach((value, i) => {
    bytes.writeFloatLE(value, i * 4);
  });
  return bytes;
}

function fromRow(row: Row): Correction {
  const image = new Float32Array(row.image.length / 4);
  for (let i = 0; i < image.length; i++) image[i] = row.image.readFloatLE(i * 4);
  return {
    id: row.id,
    image,
    label: row.label,
    createdAt: row.created_at,
    ...(row.user_id === null ? {} : { userId: row.user_id }),
    ...(row.session_id === null ? {} : { sessionId: row.session_id }),
    ...(row.predicted_digit === null || row.predicted_confidence === null
      ? {}
      : { predicted: { digit: row.predicted_digit, confidence: row.predicted_confidence } }),
    ...(row.model_version === null ? {} : { modelVersion: row.model_version }),
  };
}

/** Adds written in one transaction at most: one commit (one WAL flush) acknowledges them all. */
const MAX_BATCH = 256;

/**
 * Corrections in PostgreSQL, in the `corrections` table of `schema` (created on first use).
 * `add` resolves once the row is committed; adds made together share one transaction. Every
 * write appends to the schema's change log in the same transaction and `NOTIFY`s it, which is
 * how other instances learn of it (see `createPostgresChangeFeed`). Several processes may use one
 * store: the database is the one history they all see.
 */
export async function createPostgresCorrectionStore(
  options: PostgresCorrectionStoreOptions,
): Promise<CorrectionStore> {
  const name = checkStoreName(options.name ?? 'default');
  const key = correctionsStoreKey(name);
  const database: Database = await openDatabase(options);
  const table = database.table('corrections');
  let closed = false;
  const pending: PendingAdd[] = [];
  let flushing: Promise<void> | undefined;

  async function commit(batch: PendingAdd[]): Promise<void> {
    let accepted: PendingAdd[] = [];
    try {
      await database.transaction('store corrections', async (client) => {
        await lockChanges(client, database);
        const ids = batch.map((job) => job.correction.id);
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM ${table} WHERE store = $1 AND id = ANY($2::text[])`,
          [key, ids],
        );
        const taken = new Set(rows.map((row) => row.id));
        accepted = [];
        for (const job of batch) {
          if (taken.has(job.correction.id)) continue;
          taken.add(job.correction.id);
          accepted.push(job);
        }
        if (accepted.length === 0) return;
        const sequences = await nextSequences(client, database, accepted.length);
        const cs = accepted.map((job) => job.correction);
        await client.query(
          `INSERT INTO ${table} (store, ${COLUMNS})
           SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::smallint[], $6::bytea[],
             $7::float8[], $8::text[], $9::smallint[], $10::float8[], $11::text[])`,
          [
            key,
            cs.map((c) => c.id),
            sequences,
            cs.map((c) => c.userId ?? null),
            cs.map((c) => c.label),
            cs.map((c) => imageBytes(c.image)),
            cs.map((c) => c.createdAt),
            cs.map((c) => c.sessionId ?? null),
            cs.map((c) => c.predicted?.digit ?? null),
            cs.map((c) => c.predicted?.confidence ?? null),
            cs.map((c) => c.modelVersion ?? null),
          ],
        );
        await recordChanges(
          client,
          database,
          cs.map((c, i) => ({ sequence: sequences[i] ?? 0, store: key, kind: 'added', subject: c.id })),
        );
      });
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    const done = new Set(accepted);
    for (const job of batch) {
      if (done.has(job)) job.resolve(job.correction.id);
      else job.reject(new DuplicateCorrectionError(job.correction.id));
    }
  }

  /** Writes waiting adds, a batch per transaction, until none wait. */
  function flush(): Promise<void> {
    flushing ??= (async () => {
      for (let batch = pending.splice(0, MAX_BATCH); batch.length > 0; batch = pending.splice(0, MAX_BATCH))
        await commit(batch);
      flushing = undefined;
    })();
    return flushing;
  }

  const open = () => {
    if (closed) throw new StoreClosedError();
  };
  const userClause = (filter: CorrectionFilter | undefined, at: number) =>
    filter?.userId === undefined
      ? { sql: '', values: [] }
      : { sql: ` AND user_id = $${at}`, values: [filter.userId] };

  async function page(after: number, limit: number, filter: CorrectionFilter | undefined) {
    const user = userClause(filter, 4);
    const { rows } = await database.query<Row>(
      'read corrections',
      `SELECT ${COLUMNS} FROM ${table} WHERE store = $1 AND sequence > $2${user.sql}
       ORDER BY sequence LIMIT $3`,
      [key, after, limit, ...user.values],
    );
    return rows;
  }

  return withPortableFormat(
    {
      persistent: true,
      add(input) {
        return queueAdd(input, {
          closed,
          enqueue: (add) => {
            pending.push(add);
            void flush();
          },
        });
      },
      async get(id) {
        open();
        const { rows } = await database.query<Row>(
          'read a correction',
          `SELECT ${COLUMNS} FROM ${table} WHERE store = $1 AND id = $2`,
          [key, id],
        );
        const row = rows[0];
        return row ? fromRow(row) : undefined;
      },
      async count(filter) {
        open();
        const user = userClause(filter, 2);
        const { rows } = await database.query<{ n: string }>(
          'count corrections',
          `SELECT count(*) AS n FROM ${table} WHERE store = $1${user.sql}`,
          [key, ...user.values],
        );
        return Number(rows[0]?.n ?? 0);
      },
      async list(listOptions = {}) {
        open();
        return listPage(listOptions, (after, count) => page(after, count, listOptions), fromRow);
      },
      async *iterate(filter) {
        open();
        // Keyset pages: a consumer may add or remove while iterating, and memory stays bounded.
        let after = -1;
        for (;;) {
          open();
          const rows = await page(after, 100, filter);
          for (const row of rows) yield fromRow(row);
          const last = rows.at(-1);
          if (!last || rows.length < 100) return;
          after = Number(last.sequence);
        }
      },
      async remove(id) {
        open();
        return database.transaction('remove a correction', async (client) => {
          await lockChanges(client, database);
          const { rowCount } = await client.query(`DELETE FROM ${table} WHERE store = $1 AND id = $2`, [
            key,
            id,
          ]);
          if (!rowCount) return false;
          const [sequence = 0] = await nextSequences(client, database, 1);
          await recordChanges(client, database, [{ sequence, store: key, kind: 'removed', subject: id }]);
          return true;
        });
      },
      async clear() {
        open();
        await database.transaction('clear corrections', async (client) => {
          await lockChanges(client, database);
          await client.query(`DELETE FROM ${table} WHERE store = $1`, [key]);
          const [sequence = 0] = await nextSequences(client, database, 1);
          await recordChanges(client, database, [{ sequence, store: key, kind: 'cleared', subject: null }]);
        });
      },
      async close() {
        if (closed) return;
        closed = true;
        await flush();
        await database.end();
      },
    },
    open,
  );
}
