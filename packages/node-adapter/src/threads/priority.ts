import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

/**
 * Lowers the calling thread's CPU priority to the lowest (nice 19), so that under load the
 * process's other threads — the event loop answering predictions — run first. Only Linux gives
 * one thread its own priority (`setpriority` on a thread id, read from `/proc/thread-self`);
 * elsewhere, or if the OS refuses, nothing changes. Returns whether it did. Threads started
 * later from this one (tfjs-node's thread pool) inherit the priority.
 */
export function lowerThreadPriority(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(threadId) || threadId <= 0) return false;
    setPriority(threadId, constants.priority.PRIORITY_LOW);
    return true;
  } catch {
    return false;
  }
}
