import type { CorrectionStore } from '@crazy-digits/core';
import {
  DuplicateCorrectionError,
  listPage,
  type PendingAdd,
  queueAdd,
  StoreClosedError,
  withPortableFormat,
} from '@crazy-digits/core/store-kit';
import { createCorrectionLog } from './correction-log.js';
import { asStoreError, type StoreDamage } from './errors.js';
import { nodeFileSystem, type StoreFileSystem } from './fs.js';
import { createDirectoryLock } from './lock.js';
import { createWriteQueue } from './write-queue.js';

/** Options for {@link createFileCorrectionStore}. */
export interface FileCorrectionStoreOptions {
  /** The store's directory; created if missing. Holds `corrections.log` and its lock. */
  dir: string;
  /**
   * A writer's lock that has not been refreshed for this long (ms) is considered abandoned and
   * taken over. Live writers refresh it every `lockStaleMs / 2`. Default 10,000; at least 2,000.
   * A lock left by a killed process on the same host is taken over at once regardless.
   */
  lockStaleMs?: number;
  /** How long (ms) an operation waits for another process's write before `StorageError`. Default 30,000. */
  lockTimeoutMs?: number;
  /**
   * Rewrite the log without removed corrections once removed records (and removal markers)
   * exceed this fraction of it. Default 0.5.
   */
  compactionRatio?: number;
  /** …and at least this many bytes (about 300 removed corrections per MiB). Default 1 MiB. */
  compactionMinBytes?: number;
  /**
   * Called when opening (or catching up with) the log finds bytes it cannot read: a torn final
   * frame, which is cut off (its append was never acknowledged), or a damaged frame anywhere,
   * which is copied to `<dir>/damaged/` and skipped, so every intact record after it is kept.
   * Log it: damage means a failing disk or a bug. Default: nothing.
   */
  onDamage?: (damage: StoreDamage) => void;
  /**
   * The file system to use; tests pass one that fails on demand.
   *
   * @internal
   */
  fs?: StoreFileSystem;
  /**
   * Most adds written with one `fdatasync`. Default 256; 1 syncs each add on its own.
   *
   * @internal
   */
  maxBatch?: number;
}

/**
 * Corrections in an append-only log on disk (`<dir>/corrections.log`). `add` resolves once the
 * record is `fdatasync`ed; adds made together share one sync. Opening truncates a torn final
 * frame left by a crash; a damaged frame with intact ones after it is copied to `<dir>/damaged/`
 * and the log rewritten without it, so no intact record is lost. Removals append a marker, and
 * the log is rewritten without the garbage (atomically: temporary file, fsync, rename, fsync of
 * the directory) once it passes the compaction threshold.
 *
 * Several processes may use one directory: each write takes a cross-process lock and first reads
 * what the others appended, and every read catches up with the log's tail, so all of them see one
 * history. See the package README for the file format and the guarantees.
 */
export async function createFileCorrectionStore(
  options: FileCorrectionStoreOptions,
): Promise<CorrectionStore> {
  const fs = options.fs ?? nodeFileSystem;
  const log = createCorrectionLog({
    fs,
    dir: options.dir,
    compactionRatio: options.compactionRatio ?? 0.5,
    compactionMinBytes: options.compactionMinBytes ?? 1 << 20,
    onDamage: options.onDamage,
  });
  const lock = createDirectoryLock(log.path, {
    staleMs: options.lockStaleMs,
    timeoutMs: options.lockTimeoutMs,
  });
  const queue = createWriteQueue({ maxBatch: Math.max(1, options.maxBatch ?? 256), commit });
  let closed = false;

  async function commit(batch: PendingAdd[]): Promise<void> {
    const accepted: PendingAdd[] = [];
    try {
      await lock.run(async () => {
        await log.catchUp(true);
        const ids = new Set<string>();
        for (const add of batch) {
          const { id } = add.correction;
          if (log.index.has(id) || ids.has(id)) add.reject(new DuplicateCorrectionError(id));
          else {
            ids.add(id);
            accepted.push(add);
          }
        }
        if (accepted.length > 0) await log.appendCorrections(accepted.map((add) => add.correction));
      });
    } catch (error) {
      const failure = asStoreError(`could not append to ${log.path}`, error);
      for (const add of accepted) add.reject(failure);
      // Adds not yet judged (the lock or the catch-up failed) fail too.
      if (accepted.length === 0) for (const add of batch) add.reject(failure);
      return;
    }
    for (const add of accepted) add.resolve(add.correction.id);
  }

  const assertOpen = () => {
    if (closed) throw new StoreClosedError();
  };

  /** Runs `work` after every operation queued before it, one at a time. */
  function serially<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new StoreClosedError());
    return queue.run(() =>
      work().catch((error: unknown) => {
        throw asStoreError(`could not ${what} ${log.path}`, error);
      }),
    );
  }

  try {
    await fs.mkdir(options.dir, { recursive: true });
    await lock.run(() => log.catchUp(true));
  } catch (error) {
    await log.close().catch(() => {});
    await lock.close();
    throw asStoreError(`could not open ${log.path}`, error);
  }

  return withPortableFormat(
    {
      persistent: true,
      add: (input) => queueAdd(input, { closed, enqueue: queue.add }),
      get: (id) =>
        serially('read', async () => {
          await log.catchUp(false);
          return log.read(id);
        }),
      count: (filter) =>
        serially('read', async () => {
          await log.catchUp(false);
          return log.index.count(filter);
        }),
      list: (listOptions = {}) =>
        serially('read', () =>
          listPage(
            listOptions,
            async (after, count) => {
              await log.catchUp(false);
              return log.index.page(after, count, listOptions);
            },
            (entry) => log.read(entry.id),
          ),
        ),
      async *iterate(filter) {
        const ids = await serially('read', async () => {
          await log.catchUp(false);
          return log.index.ids(filter);
        });
        // One record per step, each read through the queue, so a consumer may add or remove
        // while iterating and a compaction in between does not invalidate what is left.
        for (const id of ids) {
          const correction = await serially('read', () => log.read(id));
          if (correction) yield correction;
        }
      },
      remove: (id) =>
        serially('write', () =>
          lock.run(async () => {
            await log.catchUp(true);
            if (!log.index.has(id)) return false;
            await log.appendRemoval(id);
            return true;
          }),
        ),
      clear: () => serially('clear', () => lock.run(() => log.clear())),
      async close() {
        if (closed) return;
        const closing = serially('close', async () => {
          await log.close();
          await lock.close();
        });
        closed = true;
        await closing;
      },
    },
    assertOpen,
  );
}
