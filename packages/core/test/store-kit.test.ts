import { expectCode, sampleArtifacts, sampleCorrection } from '@crazy-digits/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryCorrectionStore } from '../src/index.js';
import {
  listPage,
  matchesFilter,
  type PendingAdd,
  prepareCorrection,
  prepareVersion,
  queueAdd,
} from '../src/store-kit.js';

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

  it('queues a prepared add and settles it with what the batch did', async () => {
    const queued: PendingAdd[] = [];
    const added = queueAdd(sampleCorrection(1, { id: 'kept' }), {
      closed: false,
      enqueue: (a) => queued.push(a),
    });
    expect(queued.map((a) => a.correction.id)).toEqual(['kept']);
    queued[0]?.resolve('kept');
    expect(await added).toBe('kept');
  });

  it('rejects an add to a closed store, or an invalid one, without queueing it', async () => {
    const queued: PendingAdd[] = [];
    const enqueue = (a: PendingAdd) => queued.push(a);
    await expectCode(queueAdd(sampleCorrection(1), { closed: true, enqueue }), 'STORE_CLOSED');
    const invalid = { ...sampleCorrection(1), label: 12 };
    await expectCode(queueAdd(invalid, { closed: false, enqueue }), 'INVALID_CORRECTION');
    expect(queued).toEqual([]);
  });

  it('exports and imports through the store, and refuses both once it is closed', async () => {
    const store = createMemoryCorrectionStore();
    for (const correction of corrections) await store.add(correction);
    const copy = createMemoryCorrectionStore();
    expect(await copy.import(store.export({ userId: 'bob' }))).toEqual({ imported: 3, skipped: 0 });
    const ids: string[] = [];
    for await (const correction of copy.iterate()) ids.push(correction.id);
    expect(ids).toEqual(['c0', 'c2', 'c4']);
    await copy.close();
    expect(() => copy.export()).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
    await expectCode(copy.import(store.export()), 'STORE_CLOSED');
  });

  it('prepares a model version: checked artifacts and a new record, or a typed error', () => {
    const { info, artifacts } = prepareVersion(sampleArtifacts(1), { note: 'first' });
    expect(info.note).toBe('first');
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect(() => prepareVersion({ weightSpecs: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_MODEL_ARTIFACTS' }),
    );
  });
});
