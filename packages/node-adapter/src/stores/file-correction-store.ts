import { join } from 'node:path';
import {
  type Correction,
  type CorrectionFilter,
  type CorrectionPage,
  type CorrectionStore,
  encodeCorrections,
  importCorrections,
  type ListOptions,
} from '@crazy-digits/core';
import {
  copyCorrection,
  DuplicateCorrectionError,
  pageSize,
  parseCursor,
  prepareCorrection,
  StorageError,
  StoreClosedError,
} from '@crazy-digits/core/store-kit';
import {
  CORRECTION_RECORD,
  decodeCorrection,
  encodeCorrection,
  encodeRemoval,
  LOG_HEADER,
  summarise,
} from './correction-records.js';
import { asStoreError, type StoreDamage, StoreDamagedError } from './errors.js';
import {
  isErrorCode,
  nodeFileSystem,
  readAt,
  replaceFileAtomically,
  type StoreFile,
  type StoreFileSystem,
  syncDirectory,
  writeDurably,
  writeFully,
} from './fs.js';
import { createDirectoryLock } from './lock.js';
import { FRAME_HEADER_BYTES, type FrameDamage, frame, scanFrames, unframe } from './record-log.js';

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

interface Entry {
  sequence: number;
  offset: number;
  bytes: number;
  userId: string | undefined;
}

interface AddJob {
  correction: Correction;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
}

type Job = { add: AddJob } | { task: () => Promise<void> };

const matches = (entry: Entry, filter: CorrectionFilter | undefined) =>
  filter?.userId === undefined || entry.userId === filter.userId;

/**
 * Corrections in an append-only log on disk (`<dir>/corrections.log`). `add` resolves once the
 * record is `fdatasync`ed; adds made together share one sync. Opening truncates a torn final
 * frame left by a crash; a damaged frame with intact ones after it is copied to `<dir>/damaged/`
 * and the log rewritten without it, so no intact record is lost. Removals append a marker, and the log is rewritten without the garbage (atomically:
 * temporary file, fsync, rename, fsync of the directory) once it passes the compaction threshold.
 *
 * Several processes may use one directory: each write takes a cross-process lock and first reads
 * what the others appended, and every read catches up with the log's tail, so all of them see one
 * history. See the package README for the file format and the guarantees.
 */
export async function createFileCorrectionStore(
  options: FileCorrectionStoreOptions,
): Promise<CorrectionStore> {
  const fs = options.fs ?? nodeFileSystem;
  const logPath = join(options.dir, 'corrections.log');
  const compactionRatio = options.compactionRatio ?? 0.5;
  const compactionMinBytes = options.compactionMinBytes ?? 1 << 20;
  const maxBatch = Math.max(1, options.maxBatch ?? 256);
  const lock = createDirectoryLock(logPath, {
    staleMs: options.lockStaleMs ?? 10_000,
    timeoutMs: options.lockTimeoutMs ?? 30_000,
  });

  // In insertion order: a Map keeps the order entries were set, and re-adding a removed id
  // appends it, as its new sequence number says.
  const index = new Map<string, Entry>();
  let file: StoreFile | undefined;
  let fileIno = -1;
  let end = 0;
  let garbageBytes = 0;
  let nextSequence = 0;
  let closed = false;
  // Set when a failed append could not be undone: what is on disk is then unknown.
  let broken: Error | undefined;

  const live = () => end - LOG_HEADER.length - garbageBytes;

  function apply(offset: number, bytes: number, payload: Uint8Array): void {
    const record = summarise(payload);
    const previous = index.get(record.id);
    if (previous) {
      index.delete(record.id);
      garbageBytes += previous.bytes;
    }
    if (record.type === CORRECTION_RECORD) {
      index.set(record.id, { sequence: record.sequence, offset, bytes, userId: record.userId });
      nextSequence = Math.max(nextSequence, record.sequence + 1);
    } else {
      garbageBytes += bytes;
    }
  }

  async function openLog(): Promise<void> {
    await file?.close().catch(() => {});
    file = undefined;
    index.clear();
    garbageBytes = 0;
    nextSequence = 0;
    const opened = await fs.open(logPath, 'a+');
    file = opened;
    const header = await readAt(opened, 0, LOG_HEADER.length);
    if (header.length !== LOG_HEADER.length || header.some((byte, i) => byte !== LOG_HEADER[i]))
      throw new StorageError(`${logPath} is not a crazy-digits corrections log`);
    fileIno = (await opened.stat()).ino;
    end = LOG_HEADER.length;
  }

  /**
   * Brings the index up to date with the log, which other processes may have appended to or
   * replaced. Holding the lock, a damaged tail is a crash's torn write and is cut off; without it,
   * it may be another process's append in progress, so it is only left unread.
   */
  async function catchUp(locked: boolean): Promise<StoreFile> {
    if (broken)
      throw new StorageError('a failed write could not be undone; reopen the store', { cause: broken });
    let info: { size: number; ino: number };
    try {
      info = await fs.stat(logPath);
    } catch (error) {
      if (!locked || !isErrorCode(error, 'ENOENT')) throw error;
      await replaceFileAtomically(fs, logPath, [LOG_HEADER]);
      info = await fs.stat(logPath);
    }
    if (!file || info.ino !== fileIno || info.size < end) await openLog();
    const current = file;
    if (!current) throw new StorageError(`${logPath} could not be opened`);
    if (info.size > end) {
      const damaged: FrameDamage[] = [];
      const validEnd = await scanFrames(
        current,
        end,
        info.size,
        apply,
        locked ? (damage) => damaged.push(damage) : undefined,
      );
      end = validEnd;
      if (locked && validEnd < info.size) {
        await current.truncate(validEnd);
        await current.datasync();
        options.onDamage?.({ file: logPath, offset: validEnd, bytes: info.size - validEnd });
      }
      if (locked && damaged.length > 0) {
        await setAside(current, damaged);
        // Rewrites the log with the intact records only, so the damage is not met again.
        await compact(current);
        if (!file) throw new StorageError(`${logPath} could not be reopened`);
        return file;
      }
    }
    return current;
  }

  /** Copies damaged spans of the log to `<dir>/damaged/`, durably, before they are dropped. */
  async function setAside(log: StoreFile, damaged: FrameDamage[]): Promise<void> {
    const asideDir = join(options.dir, 'damaged');
    await fs.mkdir(asideDir, { recursive: true });
    const reports: StoreDamage[] = [];
    for (const { offset, bytes } of damaged) {
      const path = join(asideDir, `corrections.log.${offset}.${Date.now()}.bin`);
      await writeDurably(fs, path, [await readAt(log, offset, bytes)]);
      reports.push({ file: logPath, offset, bytes, setAsideTo: path });
    }
    await syncDirectory(fs, asideDir);
    for (const report of reports) options.onDamage?.(report);
  }

  async function commit(batch: AddJob[]): Promise<void> {
    const accepted: Array<{ job: AddJob; payload: Uint8Array }> = [];
    try {
      await lock.run(async () => {
        const log = await catchUp(true);
        const ids = new Set<string>();
        for (const job of batch) {
          const { id } = job.correction;
          if (index.has(id) || ids.has(id)) job.reject(new DuplicateCorrectionError(id));
          else {
            ids.add(id);
            accepted.push({
              job,
              payload: frame(encodeCorrection(job.correction, nextSequence + ids.size - 1)),
            });
          }
        }
        if (accepted.length === 0) return;
        const bytes = new Uint8Array(accepted.reduce((sum, a) => sum + a.payload.length, 0));
        let at = 0;
        for (const { payload } of accepted) {
          bytes.set(payload, at);
          at += payload.length;
        }
        const start = end;
        try {
          await writeFully(log, bytes);
          await log.datasync();
        } catch (error) {
          await undoAppend(log, start, error);
          throw error;
        }
        at = start;
        for (const { payload } of accepted) {
          apply(at, payload.length, payload.subarray(FRAME_HEADER_BYTES));
          at += payload.length;
        }
        end = at;
      });
    } catch (error) {
      const failure = asStoreError(`could not append to ${logPath}`, error);
      for (const { job } of accepted) job.reject(failure);
      // Jobs not yet judged (the lock or the catch-up failed) fail too.
      if (accepted.length === 0) for (const job of batch) job.reject(failure);
      return;
    }
    for (const { job } of accepted) job.resolve(job.correction.id);
  }

  /** Cuts a failed append off, so nothing unacknowledged is read back later, here or elsewhere. */
  async function undoAppend(log: StoreFile, start: number, cause: unknown): Promise<void> {
    try {
      await log.truncate(start);
      await log.datasync();
    } catch {
      broken = cause instanceof Error ? cause : new Error(String(cause));
    }
  }

  const jobs: Job[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      if ('task' in job) {
        await job.task();
        continue;
      }
      // Every add waiting now goes into one append and one fdatasync (group commit).
      const batch = [job.add];
      while (batch.length < maxBatch) {
        const next = jobs[0];
        if (!next || !('add' in next)) break;
        jobs.shift();
        batch.push(next.add);
      }
      await commit(batch);
    }
    draining = false;
  }

  function enqueue(job: Job): void {
    jobs.push(job);
    if (!draining) void drain();
  }

  /** Runs `work` after every operation queued before it, one at a time. */
  function serially<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      enqueue({
        task: () =>
          work().then(resolve, (error: unknown) =>
            reject(asStoreError(`could not ${what} ${logPath}`, error)),
          ),
      });
    });
  }

  async function read(id: string, log: StoreFile): Promise<Correction | undefined> {
    const entry = index.get(id);
    if (!entry) return undefined;
    const payload = unframe(await readAt(log, entry.offset, entry.bytes));
    if (!payload) throw new StoreDamagedError(logPath, entry.offset);
    return decodeCorrection(payload);
  }

  /** Rewrites the log with only the live records; a crash leaves the old log or the new one. */
  async function compact(log: StoreFile): Promise<void> {
    const temporary = `${logPath}.compact-${process.pid}`;
    await fs.rm(temporary, { recursive: false, force: true });
    const chunks: Uint8Array[] = [LOG_HEADER];
    for (const entry of index.values()) {
      const bytes = await readAt(log, entry.offset, entry.bytes);
      if (!unframe(bytes)) throw new StoreDamagedError(logPath, entry.offset);
      chunks.push(bytes);
    }
    await writeDurably(fs, temporary, chunks);
    try {
      await fs.rename(temporary, logPath);
    } catch (error) {
      await fs.rm(temporary, { recursive: false, force: true }).catch(() => {});
      throw error;
    }
    await syncDirectory(fs, options.dir);
    await catchUp(true);
  }

  try {
    await fs.mkdir(options.dir, { recursive: true });
    await lock.run(() => catchUp(true));
  } catch (error) {
    await file?.close().catch(() => {});
    await lock.close();
    throw asStoreError(`could not open ${logPath}`, error);
  }

  const store: CorrectionStore = {
    persistent: true,
    add(input) {
      if (closed) return Promise.reject(new StoreClosedError());
      let correction: Correction;
      try {
        correction = prepareCorrection(input);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<string>((resolve, reject) => enqueue({ add: { correction, resolve, reject } }));
    },
    get: (id) => serially('read', async () => read(id, await catchUp(false))),
    count: (filter) =>
      serially('read', async () => {
        await catchUp(false);
        let n = 0;
        for (const entry of index.values()) if (matches(entry, filter)) n++;
        return n;
      }),
    list: (listOptions: ListOptions = {}) =>
      serially('read', async (): Promise<CorrectionPage> => {
        const limit = pageSize(listOptions.limit);
        const after = parseCursor(listOptions.cursor);
        const log = await catchUp(false);
        const ids: string[] = [];
        let more = false;
        for (const [id, entry] of index) {
          if (entry.sequence <= after || !matches(entry, listOptions)) continue;
          if (ids.length === limit) {
            more = true;
            break;
          }
          ids.push(id);
        }
        const items: Correction[] = [];
        for (const id of ids) {
          const correction = await read(id, log);
          if (correction) items.push(correction);
        }
        const last = ids.at(-1);
        const lastEntry = last === undefined ? undefined : index.get(last);
        return { items, ...(more && lastEntry ? { nextCursor: String(lastEntry.sequence) } : {}) };
      }),
    async *iterate(filter) {
      const ids = await serially('read', async () => {
        await catchUp(false);
        return [...index].filter(([, entry]) => matches(entry, filter)).map(([id]) => id);
      });
      // One record per step, each read through the queue, so a consumer may add or remove
      // while iterating and a compaction in between does not invalidate what is left.
      for (const id of ids) {
        const correction = await serially('read', async () => (file ? read(id, file) : undefined));
        if (correction) yield copyCorrection(correction);
      }
    },
    remove: (id) =>
      serially('write', () =>
        lock.run(async () => {
          const log = await catchUp(true);
          if (!index.has(id)) return false;
          const start = end;
          const payload = frame(encodeRemoval(id));
          try {
            await writeFully(log, payload);
            await log.datasync();
          } catch (error) {
            await undoAppend(log, start, error);
            throw error;
          }
          apply(start, payload.length, payload.subarray(FRAME_HEADER_BYTES));
          end = start + payload.length;
          if (garbageBytes >= compactionMinBytes && garbageBytes > compactionRatio * (live() + garbageBytes))
            await compact(log);
          return true;
        }),
      ),
    clear: () =>
      serially('clear', () =>
        lock.run(async () => {
          await replaceFileAtomically(fs, logPath, [LOG_HEADER]);
          await catchUp(true);
        }),
      ),
    export(filter) {
      if (closed) throw new StoreClosedError();
      return encodeCorrections(store.iterate(filter));
    },
    import(stream) {
      if (closed) return Promise.reject(new StoreClosedError());
      return importCorrections(store, stream);
    },
    async close() {
      if (closed) return;
      const closing = serially('close', async () => {
        await file?.close();
        file = undefined;
        await lock.close();
      });
      closed = true;
      await closing;
    },
  };
  return store;
}
