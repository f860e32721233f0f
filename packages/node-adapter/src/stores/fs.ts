import * as nodeFs from 'node:fs/promises';
import { dirname } from 'node:path';

/** The calls the stores make on an open file: a subset of `fs.promises.FileHandle`. */
export interface StoreFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /** Writes at the current position (the end, for files opened to append). */
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number; ino: number }>;
  close(): Promise<void>;
}

/**
 * The file-system calls the stores make, so tests can make any of them fail.
 *
 * @internal
 */
export interface StoreFileSystem {
  open(path: string, flags: string): Promise<StoreFile>;
  stat(path: string): Promise<{ size: number; ino: number; mtimeMs: number; ctimeMs: number }>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  rm(path: string, options: { recursive: boolean; force: boolean }): Promise<void>;
  rmdir(path: string): Promise<void>;
}

export const nodeFileSystem: StoreFileSystem = {
  open: (path, flags) => nodeFs.open(path, flags),
  stat: (path) => nodeFs.stat(path),
  rename: (from, to) => nodeFs.rename(from, to),
  mkdir: (path, options) => nodeFs.mkdir(path, options),
  readdir: (path) => nodeFs.readdir(path),
  readFile: (path) => nodeFs.readFile(path),
  rm: (path, options) => nodeFs.rm(path, options),
  rmdir: (path) => nodeFs.rmdir(path),
};

export const isErrorCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === code;

/**
 * Makes a rename or a new entry in `dir` durable. Windows cannot open a directory, and NTFS
 * journals renames itself, so there this is a no-op.
 */
export async function syncDirectory(fs: StoreFileSystem, dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `chunks` to a new file at `path` and fsyncs it; the file is removed if anything fails. */
export async function writeDurably(fs: StoreFileSystem, path: string, chunks: Uint8Array[]): Promise<void> {
  const handle = await fs.open(path, 'wx');
  try {
    for (const chunk of chunks) await writeFully(handle, chunk);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(path, { recursive: false, force: true }).catch(() => {});
    throw error;
  }
  await handle.close();
}

/** `write` may write less than asked (a full disk, a signal); loop until all of it is down. */
export async function writeFully(handle: StoreFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${done} of ${bytes.length}`);
    done += bytesWritten;
  }
}

/**
 * Replaces `path` with `chunks` so that a crash leaves either the old or the new content, never
 * a mix: write a temporary file beside it, fsync it, rename it over, fsync the directory.
 */
export async function replaceFileAtomically(
  fs: StoreFileSystem,
  path: string,
  chunks: Uint8Array[],
  options: {
    /**
     * Where to write first; a file an earlier crash left there is removed. Default: a new name
     * beside `path`.
     */
    temporary?: string;
  } = {},
): Promise<void> {
  const temporary =
    options.temporary ?? `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  if (options.temporary !== undefined) await fs.rm(temporary, { recursive: false, force: true });
  await writeDurably(fs, temporary, chunks);
  try {
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { recursive: false, force: true }).catch(() => {});
    throw error;
  }
  await syncDirectory(fs, dirname(path));
}

/** Reads exactly `length` bytes at `position` (short only at the end of the file). */
export async function readAt(handle: StoreFile, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}
