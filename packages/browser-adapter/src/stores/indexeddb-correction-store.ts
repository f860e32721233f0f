import {
  type Correction,
  type CorrectionFilter,
  type CorrectionPage,
  type CorrectionStore,
  createMemoryCorrectionStore,
  encodeCorrections,
  importCorrections,
  type ListOptions,
} from '@crazy-digits/core';
import {
  DuplicateCorrectionError,
  isValidCorrectionId,
  pageSize,
  parseCursor,
  prepareCorrection,
  StorageError,
  validateCorrection,
} from '@crazy-digits/core/store-kit';
import { CORRECTIONS, type Connection, type IndexedDBStoreOptions, openStore } from './database.js';

/** Options for {@link createIndexedDBCorrectionStore}. */
export interface IndexedDBCorrectionStoreOptions extends IndexedDBStoreOptions {}

/** A correction as stored: its fields and, assigned by IndexedDB on `add`, its sequence number. */
type CorrectionRecord = Correction & { sequence: number };

/** How many corrections `iterate` reads per transaction. */
const ITERATE_PAGE = 100;

/**
 * A record read back, checked again: IndexedDB holds whatever any code of this origin wrote, so
 * a damaged or foreign record is reported as a `StorageError`, never handed to training.
 */
function readRecord(record: CorrectionRecord): Correction {
  if (typeof record !== 'object' || record === null || !isValidCorrectionId(record.id))
    throw new StorageError('a stored correction has no valid id');
  try {
    return validateCorrection(record, record.id, record.createdAt);
  } catch (error) {
    throw new StorageError(`stored correction "${record.id}" is damaged`, { cause: error });
  }
}

function build(connection: Connection): CorrectionStore {
  const userRange = (userId: string, after: number) =>
    IDBKeyRange.bound([userId, after], [userId, Number.POSITIVE_INFINITY], true);

  /** Up to `limit` records after sequence number `after`, in insertion order. */
  const page = (after: number, limit: number, filter: CorrectionFilter | undefined) =>
    connection.run('read corrections', [CORRECTIONS], 'readonly', async (tx) => {
      const store = tx.objectStore(CORRECTIONS);
      const records: CorrectionRecord[] =
        filter?.userId === undefined
          ? await store.getAll(IDBKeyRange.lowerBound(after, true), limit)
          : await store.index('user').getAll(userRange(filter.userId, after), limit);
      return records.map((record) => ({ sequence: record.sequence, correction: readRecord(record) }));
    });

  const store: CorrectionStore = {
    persistent: true,
    async add(input) {
      connection.assertOpen();
      const correction = prepareCorrection(input);
      return connection.run('add a correction', [CORRECTIONS], 'readwrite', async (tx) => {
        const corrections = tx.objectStore(CORRECTIONS);
        // Checked inside the write transaction, which no other write to the store can overlap.
        if ((await corrections.index('id').getKey(correction.id)) !== undefined)
          throw new DuplicateCorrectionError(correction.id);
        await corrections.add(correction);
        return correction.id;
      });
    },
    async get(id) {
      connection.assertOpen();
      const record: CorrectionRecord | undefined = await connection.run(
        'read a correction',
        [CORRECTIONS],
        'readonly',
        (tx) => tx.objectStore(CORRECTIONS).index('id').get(id),
      );
      return record === undefined ? undefined : readRecord(record);
    },
    async count(filter) {
      connection.assertOpen();
      return connection.run('count corrections', [CORRECTIONS], 'readonly', (tx) => {
        const corrections = tx.objectStore(CORRECTIONS);
        return filter?.userId === undefined
          ? corrections.count()
          : corrections.index('user').count(userRange(filter.userId, Number.NEGATIVE_INFINITY));
      });
    },
    async list(options: ListOptions = {}): Promise<CorrectionPage> {
      connection.assertOpen();
      const limit = pageSize(options.limit);
      // One more than asked, to know whether there is a next page.
      const found = await page(parseCursor(options.cursor), limit + 1, options);
      const items = found.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((item) => item.correction),
        ...(found.length > limit && last ? { nextCursor: String(last.sequence) } : {}),
      };
    },
    async *iterate(filter) {
      connection.assertOpen();
      // Page by page, each in its own transaction: a transaction cannot stay open while the
      // caller awaits something else between items.
      let after = -1;
      for (;;) {
        const found = await page(after, ITERATE_PAGE, filter);
        for (const item of found) yield item.correction;
        const last = found.at(-1);
        if (!last || found.length < ITERATE_PAGE) return;
        after = last.sequence;
      }
    },
    async remove(id) {
      connection.assertOpen();
      return connection.run('remove a correction', [CORRECTIONS], 'readwrite', async (tx) => {
        const corrections = tx.objectStore(CORRECTIONS);
        const key = await corrections.index('id').getKey(id);
        if (key === undefined) return false;
        await corrections.delete(key);
        return true;
      });
    },
    async clear() {
      connection.assertOpen();
      await connection.run('clear corrections', [CORRECTIONS], 'readwrite', (tx) =>
        tx.objectStore(CORRECTIONS).clear(),
      );
    },
    export(filter) {
      connection.assertOpen();
      return encodeCorrections(store.iterate(filter));
    },
    async import(stream) {
      connection.assertOpen();
      return importCorrections(store, stream);
    },
    close: () => connection.close(),
  };
  return store;
}

/**
 * Corrections in IndexedDB, kept across reloads and browser restarts. Each write is one
 * transaction, acknowledged once it has committed (with `durability: 'strict'` where the
 * browser supports it, so the data has reached the disk); a write that fails — a full quota,
 * an aborted transaction — leaves nothing behind and rejects with `StorageQuotaExceededError`
 * or core's `StorageError`.
 *
 * Where IndexedDB cannot be used (private browsing in some browsers, sandboxed iframes), resolves
 * with core's in-memory store instead, whose `persistent` is `false`, unless
 * `fallback: 'throw'` is given.
 *
 * @example
 * ```ts
 * const store = await createIndexedDBCorrectionStore({ name: 'my-app' });
 * if (!store.persistent) showBanner('Corrections will be forgotten when you close this tab.');
 * const recognizer = await createRecognizer({ store });
 * ```
 */
export function createIndexedDBCorrectionStore(
  options: IndexedDBCorrectionStoreOptions,
): Promise<CorrectionStore> {
  return openStore(options, build, createMemoryCorrectionStore);
}
