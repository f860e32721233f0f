import type { CorrectionFilter, CorrectionStore } from '@crazy-digits/core';
import { listPage, queueAdd, StoreClosedError, withPortableFormat } from '@crazy-digits/core/store-kit';
import { createAddBatches } from './correction-batches.js';
import { COLUMNS, fromRow, type Row } from './correction-rows.js';
import { type Database, openDatabase, type PostgresConnectionOptions } from './database.js';
import { lockChanges, nextSequences, recordChanges } from './migrations.js';
import { checkStoreName } from './store-name.js';

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
  const batches = createAddBatches({ database, table, key });
  let closed = false;

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
          enqueue: batches.add,
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
        await batches.flush();
        await database.end();
      },
    },
    open,
  );
}
