import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CorrectionStore, isCrazyDigitsError } from '@crazy-digits/core';
import { describeCorrectionStoreContract, sampleCorrection } from '@crazy-digits/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCorrectionStore, type StoreDamage, StoreDamagedError } from '../src/stores/index.js';

describeCorrectionStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crazy-digits-corrections-'));
  let store = await createFileCorrectionStore({ dir });
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await createFileCorrectionStore({ dir });
      return store;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

async function collectIds(store: CorrectionStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const correction of store.iterate()) ids.push(correction.id);
  return ids;
}

describe('createFileCorrectionStore on disk', () => {
  let dir: string;
  let logPath: string;
  const open = (extra: { compactionMinBytes?: number } = {}) => createFileCorrectionStore({ dir, ...extra });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crazy-digits-corrections-'));
    logPath = join(dir, 'corrections.log');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('says it is persistent', async () => {
    const store = await open();
    expect(store.persistent).toBe(true);
    await store.close();
  });

  it('cuts a torn final record off on open, keeps every record before it, and says so', async () => {
    let store = await open();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await store.add(sampleCorrection(i)));
    await store.close();
    const { size } = await stat(logPath);
    await truncate(logPath, size - 100);
    const reports: StoreDamage[] = [];
    store = await createFileCorrectionStore({ dir, onDamage: (damage) => reports.push(damage) });
    expect(await collectIds(store)).toEqual(ids.slice(0, 4));
    // An append that was cut short was never acknowledged: nothing is set aside.
    expect(reports).toEqual([{ file: logPath, offset: expect.any(Number), bytes: expect.any(Number) }]);
    expect((await stat(logPath)).size).toBe(reports[0]?.offset);
    const later = await store.add(sampleCorrection(9));
    await store.close();
    store = await open();
    expect(await collectIds(store)).toEqual([...ids.slice(0, 4), later]);
    expect((await store.get(later))?.image).toEqual(sampleCorrection(9).image);
    await store.close();
  });

  /** Offsets of each record's frame: past the 12-byte file header, a u32 length, a u32 CRC, the payload. */
  const frameOffsets = (bytes: Buffer): number[] => {
    const offsets: number[] = [];
    for (let offset = 12; offset < bytes.length; offset += 8 + bytes.readUInt32LE(offset))
      offsets.push(offset);
    return offsets;
  };

  it('sets a damaged record aside and keeps every intact record after it', async () => {
    let store = await open();
    const ids = [];
    for (let i = 0; i < 100; i++) ids.push(await store.add(sampleCorrection(i)));
    await store.close();
    const bytes = await readFile(logPath);
    const offsets = frameOffsets(bytes);
    const record51 = offsets[50] ?? 0;
    const damagedBytes = Buffer.from(bytes.subarray(record51, offsets[51]));
    // One flipped bit in the image of record 51.
    bytes[record51 + 1000] = (bytes[record51 + 1000] ?? 0) ^ 0x10;
    await writeFile(logPath, bytes);

    const reports: StoreDamage[] = [];
    store = await createFileCorrectionStore({ dir, onDamage: (damage) => reports.push(damage) });
    expect(await collectIds(store)).toEqual([...ids.slice(0, 50), ...ids.slice(51)]);
    expect(reports).toEqual([
      { file: logPath, offset: record51, bytes: damagedBytes.length, setAsideTo: expect.any(String) },
    ]);
    const aside = await readFile(reports[0]?.setAsideTo ?? '');
    damagedBytes[1000] = (damagedBytes[1000] ?? 0) ^ 0x10;
    expect(aside.equals(damagedBytes)).toBe(true);
    expect(await readdir(join(dir, 'damaged'))).toHaveLength(1);

    // The log was rewritten without the damage: a later open meets none and appends still work.
    const later = await store.add(sampleCorrection(7));
    await store.close();
    reports.length = 0;
    store = await createFileCorrectionStore({ dir, onDamage: (damage) => reports.push(damage) });
    expect(await collectIds(store)).toEqual([...ids.slice(0, 50), ...ids.slice(51), later]);
    expect(reports).toEqual([]);
    expect((await store.get(ids[51] ?? ''))?.image).toEqual(sampleCorrection(51).image);
    await store.close();
  });

  it('sets aside a record whose length field is damaged and resynchronises on the next one', async () => {
    let store = await open();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await store.add(sampleCorrection(i)));
    await store.close();
    const bytes = await readFile(logPath);
    const second = frameOffsets(bytes)[1] ?? 0;
    bytes[second + 2] = (bytes[second + 2] ?? 0) ^ 0x01; // the length now claims 64 KiB more
    await writeFile(logPath, bytes);
    store = await open();
    expect(await collectIds(store)).toEqual([ids[0], ...ids.slice(2)]);
    expect(await readdir(join(dir, 'damaged'))).toHaveLength(1);
    await store.close();
  });

  it('sets aside a damaged final record that is whole, rather than cutting it silently', async () => {
    let store = await open();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await store.add(sampleCorrection(i)));
    await store.close();
    const bytes = await readFile(logPath);
    const last = frameOffsets(bytes)[2] ?? 0;
    bytes[last + 600] = (bytes[last + 600] ?? 0) ^ 0x01;
    await writeFile(logPath, bytes);
    const reports: StoreDamage[] = [];
    store = await createFileCorrectionStore({ dir, onDamage: (damage) => reports.push(damage) });
    expect(await collectIds(store)).toEqual(ids.slice(0, 2));
    expect(reports).toMatchObject([{ file: logPath, offset: last, setAsideTo: expect.any(String) }]);
    await store.close();
  });

  it('refuses to read a record that is damaged after it was opened, naming the file and offset', async () => {
    const store = await open();
    const first = await store.add(sampleCorrection(0));
    const bytes = await readFile(logPath);
    bytes[12 + 700] = (bytes[12 + 700] ?? 0) ^ 0x01;
    await writeFile(logPath, bytes);
    const failure = await store.get(first).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreDamagedError);
    expect(failure).toMatchObject({ code: 'STORE_DAMAGED', file: logPath, offset: 12 });
    await store.close();
  });

  it('refuses a file that is not a corrections log, leaving it untouched', async () => {
    await writeFile(logPath, 'precious notes');
    const failure = await open().catch((error: unknown) => error);
    expect(isCrazyDigitsError(failure, 'STORAGE_FAILED')).toBe(true);
    expect(await readFile(logPath, 'utf8')).toBe('precious notes');
  });

  it('compacts once removals pass the threshold, keeping order and cursors', async () => {
    let store = await open({ compactionMinBytes: 0 });
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await store.add(sampleCorrection(i, { userId: `u${i % 2}` })));
    const firstPage = await store.list({ limit: 3 });
    const sizeBefore = (await stat(logPath)).size;
    for (const id of ids.slice(0, 6)) await store.remove(id);
    // Compacted after the fifth removal (garbage above half the log), then one more marker.
    expect((await stat(logPath)).size).toBeLessThan(sizeBefore * 0.6);
    expect(await collectIds(store)).toEqual(ids.slice(6));
    // A cursor from before the compaction still continues after the records it had seen.
    expect((await store.list({ cursor: firstPage.nextCursor ?? '' })).items.map((c) => c.id)).toEqual(
      ids.slice(6),
    );
    await store.close();
    store = await open();
    expect(await collectIds(store)).toEqual(ids.slice(6));
    expect(await store.count({ userId: 'u1' })).toBe(2);
    expect((await store.get(ids[7] ?? ''))?.image).toEqual(sampleCorrection(7).image);
    await store.close();
  });

  it('lets two stores on one directory see each other, through appends, removals and a clear', async () => {
    const a = await open({ compactionMinBytes: 0 });
    const b = await open({ compactionMinBytes: 0 });
    const fromA = await Promise.all([0, 1, 2].map((i) => a.add(sampleCorrection(i))));
    const fromB = await Promise.all([3, 4, 5].map((i) => b.add(sampleCorrection(i))));
    expect(await a.count()).toBe(6);
    expect((await b.get(fromA[0] ?? ''))?.label).toBe(0);
    await Promise.all([a.remove(fromB[0] ?? ''), b.remove(fromA[1] ?? ''), b.remove(fromA[2] ?? '')]);
    expect(await collectIds(a)).toEqual([fromA[0], fromB[1], fromB[2]]);
    expect(await collectIds(b)).toEqual([fromA[0], fromB[1], fromB[2]]);
    const duplicate = await b
      .add(sampleCorrection(1, { id: fromA[0] ?? '' }))
      .catch((error: unknown) => error);
    expect(isCrazyDigitsError(duplicate, 'DUPLICATE_CORRECTION')).toBe(true);
    await a.clear();
    expect(await b.count()).toBe(0);
    await b.add(sampleCorrection(8));
    expect(await a.count()).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });
});
