import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { type CorrectionStore, isCrazyDigitsError } from '@crazy-digits/core';
import { describeCorrectionStoreContract, sampleCorrection } from '@crazy-digits/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tableCrc32 } from '../src/stores/crc32.js';
import { createFileCorrectionStore } from '../src/stores/index.js';

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

  it('computes the same CRC-32 as zlib without it (Node before 20.15)', () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251);
    expect(tableCrc32(bytes)).toBe(zlibCrc32(bytes));
    expect(tableCrc32(new Uint8Array(0))).toBe(0);
  });

  it('says it is persistent', async () => {
    const store = await open();
    expect(store.persistent).toBe(true);
    await store.close();
  });

  it('cuts a torn tail off on open and keeps every record before it', async () => {
    let store = await open();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await store.add(sampleCorrection(i)));
    await store.close();
    const { size } = await stat(logPath);
    await truncate(logPath, size - 100);
    store = await open();
    expect(await collectIds(store)).toEqual(ids.slice(0, 4));
    const later = await store.add(sampleCorrection(9));
    await store.close();
    store = await open();
    expect(await collectIds(store)).toEqual([...ids.slice(0, 4), later]);
    expect((await store.get(later))?.image).toEqual(sampleCorrection(9).image);
    await store.close();
  });

  it('stops at a damaged record and keeps the ones before it', async () => {
    let store = await open();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await store.add(sampleCorrection(i)));
    await store.close();
    const bytes = await readFile(logPath);
    // Past the 12-byte file header, each record is a u32 length, a u32 checksum and the payload.
    const third = [0, 1].reduce((offset) => offset + 8 + bytes.readUInt32LE(offset), 12);
    bytes[third + 500] = (bytes[third + 500] ?? 0) ^ 0xff;
    await writeFile(logPath, bytes);
    store = await open();
    expect(await collectIds(store)).toEqual(ids.slice(0, 2));
    expect((await stat(logPath)).size).toBe(third);
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
