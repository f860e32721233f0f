import { join } from 'node:path';
import type { Correction } from '@crazy-digits/core';
import { StorageError } from '@crazy-digits/core/store-kit';
import { type CorrectionIndex, createCorrectionIndex } from './correction-index.js';
import { decodeCorrection, encodeCorrection, encodeRemoval, LOG_HEADER } from './correction-records.js';
import { type StoreDamage, StoreDamagedError } from './errors.js';
import {
  isErrorCode,
  readAt,
  replaceFileAtomically,
  type StoreFile,
  type StoreFileSystem,
  syncDirectory,
  writeDurably,
  writeFully,
} from './fs.js';
import { FRAME_HEADER_BYTES, type FrameDamage, frame, scanFrames, unframe } from './record-log.js';

/** What {@link createCorrectionLog} needs; see `FileCorrectionStoreOptions` for the meaning. */
export interface CorrectionLogOptions {
  fs: StoreFileSystem;
  dir: string;
  compactionRatio: number;
  compactionMinBytes: number;
  onDamage: ((damage: StoreDamage) => void) | undefined;
}

/**
 * `<dir>/corrections.log` and the index of what it holds. Callers run one operation at a time,
 * hold the directory's lock for every call that says `locked` or writes, and append only after a
 * locked catch-up, so the index they checked is the log's.
 */
export interface CorrectionLog {
  readonly path: string;
  /** The live corrections, as of the last catch-up. */
  readonly index: CorrectionIndex;
  /**
   * Brings the index up to date with the log, which other processes may have appended to or
   * replaced. Holding the lock, a damaged tail is a crash's torn write and is cut off; without it,
   * it may be another process's append in progress, so it is only left unread.
   */
  catchUp(locked: boolean): Promise<void>;
  /** Appends the corrections, numbered from the index's next sequence number, with one sync. */
  appendCorrections(corrections: Correction[]): Promise<void>;
  /** Appends a removal marker, then compacts the log if enough of it is garbage. */
  appendRemoval(id: string): Promise<void>;
  read(id: string): Promise<Correction | undefined>;
  /** Replaces the log with an empty one. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function createCorrectionLog(options: CorrectionLogOptions): CorrectionLog {
  const { fs } = options;
  const logPath = join(options.dir, 'corrections.log');
  const index = createCorrectionIndex();
  let file: StoreFile | undefined;
  let fileIno = -1;
  let end = 0;
  // Set when a failed append could not be undone: what is on disk is then unknown.
  let broken: Error | undefined;

  async function openLog(): Promise<StoreFile> {
    await file?.close().catch(() => {});
    file = undefined;
    index.reset();
    const opened = await fs.open(logPath, 'a+');
    file = opened;
    const header = await readAt(opened, 0, LOG_HEADER.length);
    if (header.length !== LOG_HEADER.length || header.some((byte, i) => byte !== LOG_HEADER[i]))
      throw new StorageError(`${logPath} is not a crazy-digits corrections log`);
    fileIno = (await opened.stat()).ino;
    end = LOG_HEADER.length;
    return opened;
  }

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
    const current = !file || info.ino !== fileIno || info.size < end ? await openLog() : file;
    if (info.size > end) {
      const damaged: FrameDamage[] = [];
      const validEnd = await scanFrames(
        current,
        end,
        info.size,
        index.apply,
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
        return compact(current);
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

  /** Rewrites the log with only the live records; a crash leaves the old log or the new one. */
  async function compact(log: StoreFile): Promise<StoreFile> {
    const chunks: Uint8Array[] = [LOG_HEADER];
    for (const entry of index.entries()) {
      const bytes = await readAt(log, entry.offset, entry.bytes);
      if (!unframe(bytes)) throw new StoreDamagedError(logPath, entry.offset);
      chunks.push(bytes);
    }
    await replaceFileAtomically(fs, logPath, chunks, { temporary: `${logPath}.compact-${process.pid}` });
    await catchUp(true);
    if (!file) throw new StorageError(`${logPath} could not be reopened`);
    return file;
  }

  /** Appends whole frames with one sync; a failed append is cut off again. */
  async function append(frames: Uint8Array[]): Promise<StoreFile> {
    const log = file;
    if (!log) throw new StorageError(`${logPath} is not open`);
    const bytes = new Uint8Array(frames.reduce((sum, framed) => sum + framed.length, 0));
    let at = 0;
    for (const framed of frames) {
      bytes.set(framed, at);
      at += framed.length;
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
    for (const framed of frames) {
      index.apply(at, framed.length, framed.subarray(FRAME_HEADER_BYTES));
      at += framed.length;
    }
    end = at;
    return log;
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

  return {
    path: logPath,
    index,
    async catchUp(locked) {
      await catchUp(locked);
    },
    async appendCorrections(corrections) {
      const first = index.nextSequence();
      await append(corrections.map((correction, i) => frame(encodeCorrection(correction, first + i))));
    },
    async appendRemoval(id) {
      const log = await append([frame(encodeRemoval(id))]);
      const garbage = index.garbageBytes();
      const live = end - LOG_HEADER.length - garbage;
      if (garbage >= options.compactionMinBytes && garbage > options.compactionRatio * (live + garbage))
        await compact(log);
    },
    async read(id) {
      const entry = index.get(id);
      if (!entry || !file) return undefined;
      const payload = unframe(await readAt(file, entry.offset, entry.bytes));
      if (!payload) throw new StoreDamagedError(logPath, entry.offset);
      return decodeCorrection(payload);
    },
    async clear() {
      await replaceFileAtomically(fs, logPath, [LOG_HEADER]);
      await catchUp(true);
    },
    async close() {
      await file?.close();
      file = undefined;
    },
  };
}
