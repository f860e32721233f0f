import { InvalidCorrectionError } from './errors.js';
import type { Correction, CorrectionFilter, CorrectionPage, ListOptions } from './types.js';

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

/** True when a correction, or a store's record of one, passes `filter`. */
export const matchesFilter = (
  record: { userId?: string | undefined },
  filter: CorrectionFilter | undefined,
): boolean => filter?.userId === undefined || record.userId === filter.userId;

/**
 * One `list` page, by the conventions every store shares: the limit and the cursor are checked
 * first, `fetch(after, count)` returns at most `count` records matching the filter whose
 * sequence number is above `after`, in order, and it is asked for one record more than the page
 * holds, to know whether another page follows. The next cursor is the last item's sequence
 * number. `toCorrection` turns each record of the page into its correction, one at a time;
 * records it returns `undefined` for are left out.
 */
export async function listPage<Item extends { sequence: number | string }>(
  options: ListOptions,
  fetch: (after: number, count: number) => Promise<readonly Item[]> | readonly Item[],
  toCorrection: (record: Item) => Promise<Correction | undefined> | Correction | undefined,
): Promise<CorrectionPage> {
  const limit = pageSize(options.limit);
  const after = parseCursor(options.cursor);
  const found = await fetch(after, limit + 1);
  const records = found.slice(0, limit);
  const items: Correction[] = [];
  for (const record of records) {
    const correction = await toCorrection(record);
    if (correction) items.push(correction);
  }
  const last = records.at(-1);
  return { items, ...(found.length > limit && last ? { nextCursor: String(last.sequence) } : {}) };
}
