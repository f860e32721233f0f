import { DuplicateCorrectionError, InvalidCorrectionError, StoreClosedError } from './errors.js';
import { encodeCorrections, importCorrections } from './portable.js';
import type { Correction, CorrectionFilter, CorrectionPage, CorrectionStore, ListOptions } from './types.js';
import { copyCorrection, prepareCorrection } from './validate.js';

/** Clamps a page size to 1–1000 (default 100). */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1)
    throw new InvalidCorrectionError(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, 1000);
}

/** Parses a `list` cursor (an insertion sequence number as text). */
export function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined) return -1;
  const sequence = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(sequence))
    throw new InvalidCorrectionError(`invalid cursor "${cursor}"`);
  return sequence;
}

const matches = (correction: Correction, filter: CorrectionFilter | undefined) =>
  filter?.userId === undefined || correction.userId === filter.userId;

/**
 * Corrections in memory: fast, for tests and for apps that keep corrections elsewhere. Nothing
 * survives a reload (`persistent` is false); use the node or browser adapter's store for that.
 */
export function createMemoryCorrectionStore(): CorrectionStore {
  // Insertion order is the order of sequence numbers; removal leaves gaps, never reorders.
  const records = new Map<string, { sequence: number; correction: Correction }>();
  let nextSequence = 0;
  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };
  const ordered = () => [...records.values()];

  const store: CorrectionStore = {
    persistent: false,
    async add(input) {
      open();
      const correction = prepareCorrection(input);
      if (records.has(correction.id)) throw new DuplicateCorrectionError(correction.id);
      records.set(correction.id, { sequence: nextSequence++, correction });
      return correction.id;
    },
    async get(id) {
      open();
      const record = records.get(id);
      return record ? copyCorrection(record.correction) : undefined;
    },
    async count(filter) {
      open();
      let n = 0;
      for (const { correction } of records.values()) if (matches(correction, filter)) n++;
      return n;
    },
    async list(options: ListOptions = {}): Promise<CorrectionPage> {
      open();
      const limit = pageSize(options.limit);
      const after = parseCursor(options.cursor);
      const page = ordered().filter((r) => r.sequence > after && matches(r.correction, options));
      const items = page.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((r) => copyCorrection(r.correction)),
        ...(page.length > limit && last ? { nextCursor: String(last.sequence) } : {}),
      };
    },
    async *iterate(filter) {
      open();
      for (const { correction } of ordered())
        if (matches(correction, filter)) yield copyCorrection(correction);
    },
    async remove(id) {
      open();
      return records.delete(id);
    },
    async clear() {
      open();
      records.clear();
    },
    export(filter) {
      open();
      return encodeCorrections(store.iterate(filter));
    },
    import(stream) {
      open();
      return importCorrections(store, stream);
    },
    async close() {
      closed = true;
    },
  };
  return store;
}
