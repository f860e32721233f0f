import { expectCode, sampleCorrection } from '@crazy-digits/test-utils';
import { describe, expect, it } from 'vitest';
import { listPage, matchesFilter, prepareCorrection } from '../src/index.js';

const corrections = Array.from({ length: 5 }, (_, i) =>
  prepareCorrection(sampleCorrection(i, { id: `c${i}`, userId: i % 2 ? 'ada' : 'bob' })),
);
const records = corrections.map((correction, sequence) => ({ sequence, correction }));
const fetchAfter = (after: number, count: number) =>
  records.filter((r) => r.sequence > after).slice(0, count);

describe('store kit', () => {
  it('pages records after a cursor, with a cursor only when more follow', async () => {
    const first = await listPage({ limit: 2 }, fetchAfter, (r) => r.correction);
    expect(first.items.map((c) => c.id)).toEqual(['c0', 'c1']);
    const last = await listPage({ limit: 3, cursor: first.nextCursor }, fetchAfter, (r) => r.correction);
    expect(last.items.map((c) => c.id)).toEqual(['c2', 'c3', 'c4']);
    expect(last.nextCursor).toBeUndefined();
  });

  it('checks the limit and the cursor before fetching anything', async () => {
    let fetched = false;
    const fetch = () => {
      fetched = true;
      return [];
    };
    await expectCode(
      listPage({ limit: 0 }, fetch, () => undefined),
      'INVALID_CORRECTION',
    );
    await expectCode(
      listPage({ cursor: 'x' }, fetch, () => undefined),
      'INVALID_CORRECTION',
    );
    expect(fetched).toBe(false);
  });

  it('filters by user, and keeps everything without a user filter', () => {
    expect(corrections.filter((c) => matchesFilter(c, { userId: 'ada' })).map((c) => c.id)).toEqual([
      'c1',
      'c3',
    ]);
    expect(corrections.filter((c) => matchesFilter(c, {}))).toHaveLength(5);
  });
});
