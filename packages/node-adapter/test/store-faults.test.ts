import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CorrectionStore, isCrazyDigitsError } from '@crazy-digits/core';
import { sampleArtifacts, sampleCorrection } from '@crazy-digits/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCorrectionStore } from '../src/stores/file-correction-store.js';
import { createFileModelStore } from '../src/stores/file-model-store.js';
import { nodeFileSystem, type StoreFile, type StoreFileSystem } from '../src/stores/fs.js';

type Operation = 'write' | 'datasync' | 'sync' | 'rename';

/** The real file system, except that chosen calls fail with EIO. */
function faultyFileSystem() {
  const plans = new Map<Operation, { skip: number; fail: number }>();
  const trip = (operation: Operation) => {
    const plan = plans.get(operation);
    if (!plan) return;
    if (plan.skip > 0) plan.skip--;
    else if (plan.fail > 0) {
      plan.fail--;
      throw Object.assign(new Error(`injected ${operation} failure`), { code: 'EIO' });
    }
  };
  const wrap = (file: StoreFile): StoreFile => ({
    read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
    write: async (buffer, offset, length) => {
      trip('write');
      return file.write(buffer, offset, length);
    },
    datasync: async () => {
      trip('datasync');
      return file.datasync();
    },
    sync: async () => {
      trip('sync');
      return file.sync();
    },
    truncate: (length) => file.truncate(length),
    stat: () => file.stat(),
    close: () => file.close(),
  });
  const fs: StoreFileSystem = {
    ...nodeFileSystem,
    open: async (path, flags) => wrap(await nodeFileSystem.open(path, flags)),
    rename: async (from, to) => {
      trip('rename');
      return nodeFileSystem.rename(from, to);
    },
  };
  return {
    fs,
    /** Lets `skip` calls of `operation` through, then fails `fail` of them. */
    fail(operation: Operation, { skip = 0, fail = 1 } = {}) {
      plans.set(operation, { skip, fail });
    },
  };
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );
const isStorageFailure = (error: unknown) => isCrazyDigitsError(error, 'STORAGE_FAILED');

async function idsIn(store: CorrectionStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const correction of store.iterate()) ids.push(correction.id);
  return ids;
}

describe('file stores when the disk fails', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crazy-digits-faults-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  for (const operation of ['write', 'datasync'] as const) {
    it(`rejects an add whose ${operation} fails, stores nothing of it, and carries on`, async () => {
      const faults = faultyFileSystem();
      const store = await createFileCorrectionStore({ dir, fs: faults.fs });
      const kept = [await store.add(sampleCorrection(1)), await store.add(sampleCorrection(2))];
      faults.fail(operation);
      const failure = await failureOf(store.add(sampleCorrection(3, { id: 'unlucky' })));
      expect(isStorageFailure(failure), String(failure)).toBe(true);
      expect(failure instanceof Error && failure.cause instanceof Error).toBe(true);
      expect(await store.get('unlucky')).toBeUndefined();
      expect(await store.count()).toBe(2);
      kept.push(await store.add(sampleCorrection(4)));
      await store.close();

      const reopened = await createFileCorrectionStore({ dir });
      expect(await idsIn(reopened)).toEqual(kept);
      expect((await reopened.get(kept[2] ?? ''))?.image).toEqual(sampleCorrection(4).image);
      await reopened.close();
    });
  }

  it('fails every add of a group commit together and keeps none of them', async () => {
    const faults = faultyFileSystem();
    const store = await createFileCorrectionStore({ dir, fs: faults.fs });
    await store.add(sampleCorrection(0, { id: 'first' }));
    faults.fail('datasync');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.add(sampleCorrection(i, { id: `batch-${i}` }))),
    );
    const acknowledged = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(isStorageFailure(outcome.reason)).toBe(true);
    expect(acknowledged.length).toBeLessThan(8);
    await store.close();
    const reopened = await createFileCorrectionStore({ dir });
    expect(await idsIn(reopened)).toEqual(['first', ...acknowledged]);
    await reopened.close();
  });

  it('refuses further work when a failed append cannot be undone, and loses nothing acknowledged', async () => {
    const faults = faultyFileSystem();
    const store = await createFileCorrectionStore({ dir, fs: faults.fs });
    const kept = await store.add(sampleCorrection(1));
    faults.fail('datasync', { fail: 2 });
    expect(isStorageFailure(await failureOf(store.add(sampleCorrection(2))))).toBe(true);
    expect(isStorageFailure(await failureOf(store.add(sampleCorrection(3))))).toBe(true);
    expect(isStorageFailure(await failureOf(store.count()))).toBe(true);
    await store.close();
    const reopened = await createFileCorrectionStore({ dir });
    expect(await idsIn(reopened)).toContain(kept);
    await reopened.close();
  });

  it('keeps every correction when the rename of a clear fails', async () => {
    const faults = faultyFileSystem();
    const store = await createFileCorrectionStore({ dir, fs: faults.fs });
    const ids = [await store.add(sampleCorrection(1)), await store.add(sampleCorrection(2))];
    faults.fail('rename');
    expect(isStorageFailure(await failureOf(store.clear()))).toBe(true);
    expect(await idsIn(store)).toEqual(ids);
    await store.close();
    const reopened = await createFileCorrectionStore({ dir });
    expect(await idsIn(reopened)).toEqual(ids);
    await reopened.clear();
    expect(await reopened.count()).toBe(0);
    await reopened.close();
  });

  const saveFaults: Array<[string, Operation, number]> = [
    ['an fsync of a weights file', 'sync', 0],
    ['the rename of the version directory', 'rename', 0],
    ['the replacement of CURRENT', 'rename', 1],
  ];
  for (const [what, operation, skip] of saveFaults) {
    it(`rejects a model save when ${what} fails, and keeps the previous version current`, async () => {
      const faults = faultyFileSystem();
      const store = await createFileModelStore({ dir, fs: faults.fs });
      const first = await store.save(sampleArtifacts(1));
      faults.fail(operation, { skip });
      expect(isStorageFailure(await failureOf(store.save(sampleArtifacts(2))))).toBe(true);
      expect((await store.list()).map((v) => v.version)).toEqual([first.version]);
      expect((await store.current())?.version).toBe(first.version);
      const next = await store.save(sampleArtifacts(3));
      await store.close();
      const reopened = await createFileModelStore({ dir });
      expect((await reopened.list()).map((v) => v.version)).toEqual([first.version, next.version]);
      expect((await reopened.current())?.version).toBe(next.version);
      await reopened.close();
    });
  }
});
