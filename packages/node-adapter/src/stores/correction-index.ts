import type { CorrectionFilter } from '@crazy-digits/core';
import { matchesFilter } from '@crazy-digits/core/store-kit';
import { CORRECTION_RECORD, summarise } from './correction-records.js';

/** Where a live correction's record is in the log, and what filters and pages need of it. */
export interface IndexEntry {
  id: string;
  sequence: number;
  offset: number;
  bytes: number;
  userId: string | undefined;
}

/**
 * The live corrections of a log, built by applying its records in order, and how many bytes of
 * the log no longer count (removed corrections and removal markers): what decides a compaction.
 */
export interface CorrectionIndex {
  get(id: string): IndexEntry | undefined;
  has(id: string): boolean;
  /** Every live entry, in insertion order. */
  entries(): IterableIterator<IndexEntry>;
  /** Bytes of the log taken by removed corrections and removal markers. */
  garbageBytes(): number;
  /** The sequence number the next correction gets. */
  nextSequence(): number;
  /** Takes in the record whose frame of `bytes` bytes starts at `offset` of the log. */
  apply(offset: number, bytes: number, payload: Uint8Array): void;
  /** Forgets everything, before the log is read again from its start. */
  reset(): void;
  count(filter: CorrectionFilter | undefined): number;
  /** At most `count` entries matching `filter` with a sequence number above `after`, in order. */
  page(after: number, count: number, filter: CorrectionFilter | undefined): IndexEntry[];
  /** The ids of every entry matching `filter`, in order. */
  ids(filter: CorrectionFilter | undefined): string[];
}

export function createCorrectionIndex(): CorrectionIndex {
  // In insertion order: a Map keeps the order entries were set, and re-adding a removed id
  // appends it, as its new sequence number says.
  const entries = new Map<string, IndexEntry>();
  let garbageBytes = 0;
  let nextSequence = 0;

  return {
    get: (id) => entries.get(id),
    has: (id) => entries.has(id),
    entries: () => entries.values(),
    garbageBytes: () => garbageBytes,
    nextSequence: () => nextSequence,
    apply(offset, bytes, payload) {
      const record = summarise(payload);
      const previous = entries.get(record.id);
      if (previous) {
        entries.delete(record.id);
        garbageBytes += previous.bytes;
      }
      if (record.type === CORRECTION_RECORD) {
        const { id, sequence, userId } = record;
        entries.set(id, { id, sequence, offset, bytes, userId });
        nextSequence = Math.max(nextSequence, sequence + 1);
      } else {
        garbageBytes += bytes;
      }
    },
    reset() {
      entries.clear();
      garbageBytes = 0;
      nextSequence = 0;
    },
    count(filter) {
      let n = 0;
      for (const entry of entries.values()) if (matchesFilter(entry, filter)) n++;
      return n;
    },
    page(after, count, filter) {
      const found: IndexEntry[] = [];
      for (const entry of entries.values()) {
        if (found.length === count) break;
        if (entry.sequence > after && matchesFilter(entry, filter)) found.push(entry);
      }
      return found;
    },
    ids: (filter) =>
      [...entries.values()].filter((entry) => matchesFilter(entry, filter)).map((entry) => entry.id),
  };
}
