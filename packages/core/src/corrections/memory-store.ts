import { DuplicateCorrectionError, StoreClosedError } from './errors.js';
import { listPage, matchesFilter } from './paging.js';
import { withPortableFormat } from './portable.js';
import type { Correction, CorrectionStore } from './types.js';
import { copyCorrection, prepareCorrection } from './validate.js';

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

  return withPortableFormat(
    {
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
        for (const { correction } of records.values()) if (matchesFilter(correction, filter)) n++;
        return n;
      },
      async list(options = {}) {
        open();
        return listPage(
          options,
          (after, count) =>
            ordered()
              .filter((r) => r.sequence > after && matchesFilter(r.correction, options))
              .slice(0, count),
          (r) => copyCorrection(r.correction),
        );
      },
      async *iterate(filter) {
        open();
        for (const { correction } of ordered())
          if (matchesFilter(correction, filter)) yield copyCorrection(correction);
      },
      async remove(id) {
        open();
        return records.delete(id);
      },
      async clear() {
        open();
        records.clear();
      },
      async close() {
        closed = true;
      },
    },
    open,
  );
}
