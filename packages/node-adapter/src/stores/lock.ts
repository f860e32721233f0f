import { mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StorageError } from '@crazy-digits/core/store-kit';
import * as lockfile from 'proper-lockfile';
import { isErrorCode } from './fs.js';

/** How a store takes its directory's lock. */
export interface DirectoryLockOptions {
  /**
   * proper-lockfile's `stale`: a lock not refreshed for this long is taken over. At least 2000.
   * Default 10,000.
   */
  staleMs?: number | undefined;
  /** Give up with `StorageError` after waiting this long for another process to release it. Default 30,000. */
  timeoutMs?: number | undefined;
}

/** A cross-process lock, held for one operation at a time. */
export interface DirectoryLock {
  /** Runs `critical` holding the lock; rejects with `StorageError` if it cannot be taken in time. */
  run<T>(critical: () => Promise<T>): Promise<T>;
  /** Says this store will not take the lock again. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return !isErrorCode(error, 'ESRCH');
  }
}

/** Which directory instance a path is: inode and change time, since inode numbers are reused. */
async function identityOf(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}:${info.ctimeNs}`;
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

// Per lock path, in this process: stores that may take it, and how many hold it right now.
const users = new Map<string, number>();
const holders = new Map<string, number>();
const bump = (map: Map<string, number>, key: string, by: number) => map.set(key, (map.get(key) ?? 0) + by);

/**
 * proper-lockfile's lock (`<target>.lock`, a directory made with `mkdir`, its mtime refreshed
 * while held), plus a faster way out of a lock whose holder was killed. Every process registers
 * in `<target>.lock-users/` (a file named `<host>~<pid>`) before it ever takes the lock, so when
 * all registered processes other than this one are on this host and gone, and no store in this
 * process holds it, the lock was abandoned and is taken over at once instead of after `staleMs`.
 * Takeovers are serialised by a second lock and re-check the lock directory's identity first, so
 * two waiters cannot both remove it and one of them remove the other's fresh lock.
 */
export function createDirectoryLock(target: string, options: DirectoryLockOptions = {}): DirectoryLock {
  const staleMs = options.staleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const lockPath = `${target}.lock`;
  const usersDir = `${lockPath}-users`;
  const takeoverPath = `${lockPath}.takeover`;
  const host = hostname();
  const me = `${host}~${process.pid}`;
  let registered: Promise<void> | undefined;
  let closed = false;

  function register(): Promise<void> {
    registered ??= (async () => {
      if (bump(users, lockPath, 1).get(lockPath) !== 1) return;
      await mkdir(usersDir, { recursive: true });
      await writeFile(join(usersDir, me), '');
    })();
    return registered;
  }

  async function takeOverAbandoned(): Promise<boolean> {
    if ((holders.get(lockPath) ?? 0) > 0) return false;
    const identity = await identityOf(lockPath);
    if (identity === undefined) return true;
    const others = (await readdir(usersDir).catch(() => [])).filter((name) => name !== me);
    for (const name of others) {
      const [userHost, pid] = name.split('~');
      if (userHost !== host || isAlive(Number(pid))) return false;
    }
    try {
      await lockfile.lock(takeoverPath, { lockfilePath: takeoverPath, realpath: false, stale: 2000 });
    } catch (error) {
      if (isErrorCode(error, 'ELOCKED')) return false;
      throw error;
    }
    try {
      if ((await identityOf(lockPath)) !== identity) return false;
      await rmdir(lockPath).catch((error: unknown) => {
        if (!isErrorCode(error, 'ENOENT')) throw error;
      });
      for (const name of others) await rm(join(usersDir, name), { force: true });
      return true;
    } finally {
      await lockfile.unlock(takeoverPath, { lockfilePath: takeoverPath, realpath: false });
    }
  }

  async function acquire(): Promise<() => Promise<void>> {
    await register();
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const release = await lockfile.lock(target, {
          lockfilePath: lockPath,
          realpath: false,
          stale: staleMs,
          // Held for milliseconds at a time, a lock is only compromised after the event loop
          // stalled for `staleMs`; the next acquisition then starts clean.
          onCompromised: () => {},
        });
        bump(holders, lockPath, 1);
        return async () => {
          bump(holders, lockPath, -1);
          await release();
        };
      } catch (error) {
        if (!isErrorCode(error, 'ELOCKED')) throw error;
        if (await takeOverAbandoned()) continue;
        if (Date.now() >= deadline) {
          throw new StorageError(`${lockPath} is held by another process (waited ${timeoutMs} ms)`, {
            cause: error,
          });
        }
        // Randomised so that two waiters do not retry in lockstep.
        await sleep(Math.random() * Math.min(20, 1 + attempt));
      }
    }
  }

  return {
    async run(critical) {
      const release = await acquire();
      try {
        return await critical();
      } finally {
        await release().catch(() => {});
      }
    },
    async close() {
      if (closed || !registered) return;
      closed = true;
      await registered.catch(() => {});
      if (bump(users, lockPath, -1).get(lockPath) === 0)
        await rm(join(usersDir, me), { force: true }).catch(() => {});
    },
  };
}
