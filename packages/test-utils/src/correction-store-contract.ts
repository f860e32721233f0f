import type { CorrectionStore, NewCorrection } from '@crazy-digits/core';
import { seededRandom } from '@crazy-digits/core/training';
import { describe, expect, it } from 'vitest';
import { expectCode } from './expect-code.js';
import { freshStorePerTest, itRefusesWorkAfterClose, type StoreHarness } from './store-contract.js';

/** How the contract suite gets a correction store to test. */
export type CorrectionStoreHarness = StoreHarness<CorrectionStore>;

/** A valid correction with a recognisable image, for tests. */
export function sampleCorrection(seed: number, overrides: Partial<NewCorrection> = {}): NewCorrection {
  const random = seededRandom(seed);
  return { image: Float32Array.from({ length: 784 }, () => random()), label: seed % 10, ...overrides };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/**
 * The behaviour every `CorrectionStore` must have. Call it from a store's test file with a
 * factory for fresh stores: `describeCorrectionStoreContract('file store', async () => ...)`.
 */
export function describeCorrectionStoreContract(
  name: string,
  setup: () => Promise<CorrectionStoreHarness>,
): void {
  describe(`CorrectionStore contract: ${name}`, () => {
    const current = freshStorePerTest(setup);

    it('adds a correction and gets it back exactly, with a fresh id and a timestamp', async () => {
      const { store } = current;
      const input = sampleCorrection(7, {
        userId: 'ada',
        sessionId: 's1',
        predicted: { digit: 1, confidence: 0.8 },
        modelVersion: 'v1',
      });
      const before = Date.now();
      const id = await store.add(input);
      const stored = await store.get(id);
      expect(stored).toBeDefined();
      expect(stored?.id).toBe(id);
      expect(stored?.label).toBe(7);
      expect(stored?.image).toEqual(input.image);
      expect(stored?.userId).toBe('ada');
      expect(stored?.sessionId).toBe('s1');
      expect(stored?.predicted).toEqual({ digit: 1, confidence: 0.8 });
      expect(stored?.modelVersion).toBe('v1');
      expect(stored?.createdAt).toBeGreaterThanOrEqual(before);
      expect(await store.get('no-such-id')).toBeUndefined();
    });

    it('keeps its own copy: mutating the input or a returned record changes nothing stored', async () => {
      const { store } = current;
      const input = sampleCorrection(1);
      const id = await store.add(input);
      input.image.fill(0);
      const first = await store.get(id);
      first?.image.fill(1);
      expect((await store.get(id))?.image).toEqual(sampleCorrection(1).image);
    });

    it('lists and iterates in insertion order, paged with a cursor, filtered by user', async () => {
      const { store } = current;
      const ids: string[] = [];
      for (let i = 0; i < 25; i++)
        ids.push(await store.add(sampleCorrection(i, { userId: i % 2 ? 'odd' : 'even' })));
      expect(new Set(ids).size).toBe(25);
      expect(await store.count()).toBe(25);
      expect(await store.count({ userId: 'odd' })).toBe(12);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 10, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(10);
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);
      expect((await collect(store.iterate())).map((c) => c.id)).toEqual(ids);
      expect((await collect(store.iterate({ userId: 'even' }))).map((c) => c.id)).toEqual(
        ids.filter((_, i) => i % 2 === 0),
      );
      const evenPage = await store.list({ userId: 'even', limit: 100 });
      expect(evenPage.items.map((c) => c.id)).toEqual(ids.filter((_, i) => i % 2 === 0));
      expect(evenPage.nextCursor).toBeUndefined();
    });

    it('accepts many adds in parallel without losing or duplicating any', async () => {
      const { store } = current;
      const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => store.add(sampleCorrection(i))));
      expect(new Set(ids).size).toBe(60);
      expect(await store.count()).toBe(60);
      const labels = (await collect(store.iterate())).map((c) => c.label).sort();
      expect(labels).toEqual(Array.from({ length: 60 }, (_, i) => i % 10).sort());
    });

    it('removes one correction, keeping the order of the rest, and clears', async () => {
      const { store } = current;
      const ids = [
        await store.add(sampleCorrection(1)),
        await store.add(sampleCorrection(2)),
        await store.add(sampleCorrection(3)),
      ];
      expect(await store.remove(ids[1] ?? '')).toBe(true);
      expect(await store.remove(ids[1] ?? '')).toBe(false);
      expect(await store.get(ids[1] ?? '')).toBeUndefined();
      expect((await collect(store.iterate())).map((c) => c.id)).toEqual([ids[0], ids[2]]);
      await store.clear();
      expect(await store.count()).toBe(0);
      expect((await store.list()).items).toEqual([]);
    });

    it('rejects invalid records with typed errors and writes nothing', async () => {
      const { store } = current;
      await store.add(sampleCorrection(1));
      const image = sampleCorrection(2).image;
      const bad: Array<[string, unknown]> = [
        ['label 11', { image, label: 11 }],
        ['label -1', { image, label: -1 }],
        ['label 3.5', { image, label: 3.5 }],
        ['label NaN', { image, label: Number.NaN }],
        ['label as text', { image, label: '7' }],
        ['a 27x28 image', { image: new Float32Array(756), label: 1 }],
        ['a plain array image', { image: Array.from(image), label: 1 }],
        [
          'a NaN pixel',
          { image: Float32Array.from(image, (v, i) => (i === 300 ? Number.NaN : v)), label: 1 },
        ],
        ['a pixel above 1', { image: Float32Array.from(image, (v, i) => (i === 5 ? 1.5 : v)), label: 1 }],
        ['an empty userId', { image, label: 1, userId: '' }],
        ['a bad prediction', { image, label: 1, predicted: { digit: 12, confidence: 0.5 } }],
        ['a bad id', { image, label: 1, id: 'has spaces/and slashes' }],
        ['null', null],
      ];
      for (const [, record] of bad) {
        await expectCode(store.add(record as NewCorrection), 'INVALID_CORRECTION');
      }
      expect(await store.count()).toBe(1);
    });

    it('refuses a duplicate id and keeps the original', async () => {
      const { store } = current;
      await store.add(sampleCorrection(1, { id: 'fixed-id' }));
      await expectCode(store.add(sampleCorrection(2, { id: 'fixed-id' })), 'DUPLICATE_CORRECTION');
      expect((await store.get('fixed-id'))?.label).toBe(1);
      expect(await store.count()).toBe(1);
    });

    it('exports to the portable format and imports into another store, skipping ids it has', async () => {
      const { store } = current;
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await store.add(sampleCorrection(i, { userId: 'u' })));
      const text = await new Response(store.export()).text();
      const lines = text.trim().split('\n');
      expect(lines).toHaveLength(6);
      expect(JSON.parse(lines[0] ?? '')).toEqual({ format: 'crazy-digits/corrections', version: 1 });

      await store.remove(ids[0] ?? '');
      const result = await store.import(new Blob([text]).stream());
      expect(result).toEqual({ imported: 1, skipped: 4 });
      const restored = await store.get(ids[0] ?? '');
      expect(restored?.image).toEqual(sampleCorrection(0).image);
      expect(restored?.userId).toBe('u');
      expect(await store.count()).toBe(5);
    });

    it('rejects a stream that is not an export, and a damaged line, with INVALID_EXPORT', async () => {
      const { store } = current;
      await expectCode(store.import(new Blob(['hello\n']).stream()), 'INVALID_EXPORT');
      await expectCode(store.import(new Blob(['']).stream()), 'INVALID_EXPORT');
      const header = JSON.stringify({ format: 'crazy-digits/corrections', version: 1 });
      await expectCode(
        store.import(
          new Blob([`${JSON.stringify({ format: 'crazy-digits/corrections', version: 9 })}\n`]).stream(),
        ),
        'INVALID_EXPORT',
      );
      await expectCode(
        store.import(new Blob([`${header}\n{"id":"x","image":"!!"}\n`]).stream()),
        'INVALID_EXPORT',
      );
      expect(await store.count()).toBe(0);
    });

    itRefusesWorkAfterClose(current, [(store) => store.add(sampleCorrection(1)), (store) => store.count()]);

    it('keeps everything across a reopen, in order, and keeps accepting adds', async (context) => {
      context.skip(!current.harness.reopen, 'the store keeps nothing');
      let { store } = current;
      const ids = [];
      for (let i = 0; i < 12; i++) ids.push(await store.add(sampleCorrection(i)));
      await store.remove(ids[3] ?? '');
      store = await current.reopen();
      expect(await store.count()).toBe(11);
      expect((await collect(store.iterate())).map((c) => c.id)).toEqual(ids.filter((_, i) => i !== 3));
      expect((await store.get(ids[5] ?? ''))?.image).toEqual(sampleCorrection(5).image);
      const later = await store.add(sampleCorrection(99));
      expect((await collect(store.iterate())).at(-1)?.id).toBe(later);
    });
  });
}
