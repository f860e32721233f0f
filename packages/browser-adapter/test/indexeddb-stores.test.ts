import { isCrazyDigitsError } from '@crazy-digits/core';
import { expectCode, sampleArtifacts, sampleCorrection } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { forceCloseDatabase, IDBDatabase, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIndexedDBCorrectionStore, createIndexedDBModelStore } from '../src/index.js';
import { freshIndexedDB } from './fake-indexeddb.js';

/** A factory that remembers the connections it opened, so a test can act as the browser on them. */
function recordingIndexedDB() {
  const factory = freshIndexedDB();
  const connections: IDBDatabase[] = [];
  const recording: IDBFactory = {
    open(name: string, version?: number) {
      const request = version === undefined ? factory.open(name) : factory.open(name, version);
      request.addEventListener('success', () => connections.push(request.result));
      return request;
    },
    deleteDatabase: (name) => factory.deleteDatabase(name),
    cmp: (a, b) => factory.cmp(a, b),
    databases: () => factory.databases(),
  };
  return { indexedDB: recording, connections };
}

/** Opens `name` at `version` from "another tab", resolving with that connection once open. */
function openElsewhere(factory: IDBFactory, name: string, version: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const quotaError = () => new DOMException('the quota has been exceeded', 'QuotaExceededError');

/** Makes the transaction of the next `method` call on an object store abort as a full disk would. */
function abortNextWriteWithQuotaError(method: 'add' | 'put') {
  const original = IDBObjectStore.prototype[method];
  return vi.spyOn(IDBObjectStore.prototype, method).mockImplementationOnce(function (
    this: IDBObjectStore,
    ...args
  ) {
    const request = original.apply(this, args);
    // What browsers do when the quota is hit at commit: the transaction aborts with a
    // QuotaExceededError (fake-indexeddb's internal abort-with-error, as no public API sets one).
    Reflect.apply(Reflect.get(this.transaction, '_abort'), this.transaction, ['QuotaExceededError']);
    return request;
  });
}

const firstWeight = (artifacts: tf.io.ModelArtifacts | undefined) =>
  artifacts?.weightData
    ? new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))[0]
    : undefined;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createIndexedDBCorrectionStore', () => {
  it('is persistent, and a store opened later on the same database sees everything', async () => {
    const indexedDB = freshIndexedDB();
    const first = await createIndexedDBCorrectionStore({ name: 'app', indexedDB });
    expect(first.persistent).toBe(true);
    const ids = [
      await first.add(sampleCorrection(1, { userId: 'ada' })),
      await first.add(sampleCorrection(2)),
    ];
    await first.close();
    const second = await createIndexedDBCorrectionStore({ name: 'app', indexedDB });
    expect((await second.list()).items.map((c) => c.id)).toEqual(ids);
    expect(await second.count({ userId: 'ada' })).toBe(1);
    await second.close();
  });

  it('writes in strict-durability transactions', async () => {
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const store = await createIndexedDBCorrectionStore({ name: 'app', indexedDB: freshIndexedDB() });
    await store.add(sampleCorrection(1));
    expect(transaction).toHaveBeenCalledWith(['corrections'], 'readwrite', { durability: 'strict' });
    await store.close();
  });

  it('steps aside when another tab upgrades the database, losing no write, and reopens', async () => {
    const indexedDB = freshIndexedDB();
    const store = await createIndexedDBCorrectionStore({ name: 'app', indexedDB });
    const before = store.add(sampleCorrection(1));
    // Another tab, with a newer release, upgrades the database to version 2 and keeps it open.
    const other = await openElsewhere(indexedDB, 'app', 2);
    expect(other.version).toBe(2);
    await before;
    // This store reopens on its next use and keeps working on the upgraded database.
    await store.add(sampleCorrection(2));
    expect(await store.count()).toBe(2);
    other.close();
    await store.close();
  });

  it('reopens after the browser closes its connection', async () => {
    const { indexedDB, connections } = recordingIndexedDB();
    const store = await createIndexedDBCorrectionStore({ name: 'app', indexedDB });
    await store.add(sampleCorrection(1));
    const [connection] = connections;
    // fake-indexeddb types its parameter as the class rather than an instance.
    forceCloseDatabase(connection as unknown as typeof IDBDatabase);
    await store.add(sampleCorrection(2));
    expect(await store.count()).toBe(2);
    expect(connections).toHaveLength(2);
    await store.close();
  });

  it('turns a full quota into STORAGE_QUOTA_EXCEEDED and stores nothing', async () => {
    const store = await createIndexedDBCorrectionStore({ name: 'app', indexedDB: freshIndexedDB() });
    await store.add(sampleCorrection(1));

    abortNextWriteWithQuotaError('add');
    await expectCode(store.add(sampleCorrection(2)), 'STORAGE_QUOTA_EXCEEDED');

    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementationOnce(() => {
      throw quotaError();
    });
    const failure = await store.add(sampleCorrection(3)).catch((error: unknown) => error);
    expect(isCrazyDigitsError(failure, 'STORAGE_QUOTA_EXCEEDED')).toBe(true);
    expect(failure).toHaveProperty('cause.name', 'QuotaExceededError');

    expect(await store.count()).toBe(1);
    await store.add(sampleCorrection(4));
    expect(await store.count()).toBe(2);
    await store.close();
  });

  it('reports a damaged record as STORAGE_FAILED instead of returning it', async () => {
    const indexedDB = freshIndexedDB();
    const store = await createIndexedDBCorrectionStore({ name: 'app', indexedDB });
    const other = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('app');
      request.onsuccess = () => resolve(request.result);
    });
    await new Promise((resolve) => {
      const tx = other.transaction('corrections', 'readwrite');
      tx.objectStore('corrections').add({ id: 'foreign', label: 12, image: 'pixels', createdAt: 0 });
      tx.oncomplete = resolve;
    });
    other.close();
    await expectCode(store.get('foreign'), 'STORAGE_FAILED');
    await expectCode(store.list(), 'STORAGE_FAILED');
    await store.close();
  });

  it('refuses a database of the same name that is not a crazy-digits one', async () => {
    const indexedDB = freshIndexedDB();
    const foreign = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('app', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('settings');
      request.onsuccess = () => resolve(request.result);
    });
    foreign.close();
    await expectCode(createIndexedDBCorrectionStore({ name: 'app', indexedDB }), 'STORAGE_FAILED');
  });

  describe('where IndexedDB cannot be used', () => {
    const refusing = (name: string): IDBFactory => ({
      open: () => {
        throw new DOMException('refused', name);
      },
      deleteDatabase: () => {
        throw new DOMException('refused', name);
      },
      cmp: () => 0,
      databases: async () => [],
    });

    it('falls back to memory when there is no indexedDB, and says so', async () => {
      const onFallback = vi.fn();
      const store = await createIndexedDBCorrectionStore({ name: 'app', onFallback });
      expect(store.persistent).toBe(false);
      expect(onFallback).toHaveBeenCalledOnce();
      const id = await store.add(sampleCorrection(1));
      expect((await store.get(id))?.label).toBe(1);
      await store.close();
    });

    it('falls back to memory on a SecurityError or InvalidStateError (private modes)', async () => {
      for (const name of ['SecurityError', 'InvalidStateError']) {
        const onFallback = vi.fn();
        const store = await createIndexedDBCorrectionStore({
          name: 'app',
          indexedDB: refusing(name),
          onFallback,
        });
        expect(store.persistent).toBe(false);
        expect(onFallback.mock.calls[0]?.[0]).toHaveProperty('name', name);
        await store.close();
      }
    });

    it("throws STORAGE_FAILED instead with fallback: 'throw', and for other failures", async () => {
      await expectCode(createIndexedDBCorrectionStore({ name: 'app', fallback: 'throw' }), 'STORAGE_FAILED');
      await expectCode(
        createIndexedDBCorrectionStore({
          name: 'app',
          indexedDB: refusing('SecurityError'),
          fallback: 'throw',
        }),
        'STORAGE_FAILED',
      );
      await expectCode(
        createIndexedDBCorrectionStore({ name: 'app', indexedDB: refusing('UnknownError') }),
        'STORAGE_FAILED',
      );
    });
  });
});

describe('createIndexedDBModelStore', () => {
  it('shares one database with the corrections store', async () => {
    const indexedDB = freshIndexedDB();
    const corrections = await createIndexedDBCorrectionStore({ name: 'app', indexedDB });
    const models = await createIndexedDBModelStore({ name: 'app', indexedDB });
    await corrections.add(sampleCorrection(1));
    const saved = await models.save(sampleArtifacts(1));
    expect((await models.current())?.version).toBe(saved.version);
    expect(await corrections.count()).toBe(1);
    await Promise.all([corrections.close(), models.close()]);
  });

  it('saves a version in one strict transaction over all its stores', async () => {
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const store = await createIndexedDBModelStore({ name: 'models', indexedDB: freshIndexedDB() });
    await store.save(sampleArtifacts(1));
    const writes = transaction.mock.calls.filter(([, mode]) => mode === 'readwrite');
    expect(writes).toEqual([
      [['model-versions', 'model-weights', 'model-state'], 'readwrite', { durability: 'strict' }],
    ]);
    await store.close();
  });

  it('keeps the previous version current when a save hits the quota, storing nothing of it', async () => {
    const store = await createIndexedDBModelStore({ name: 'models', indexedDB: freshIndexedDB() });
    const kept = await store.save(sampleArtifacts(1));
    abortNextWriteWithQuotaError('put');
    await expectCode(store.save(sampleArtifacts(2)), 'STORAGE_QUOTA_EXCEEDED');
    expect((await store.list()).map((v) => v.version)).toEqual([kept.version]);
    expect(firstWeight((await store.load())?.artifacts)).toBe(1);
    await store.close();
  });

  it('loads the newest readable version when the current one is damaged or missing', async () => {
    const indexedDB = freshIndexedDB();
    const store = await createIndexedDBModelStore({ name: 'models', indexedDB });
    await store.save(sampleArtifacts(1));
    const b = await store.save(sampleArtifacts(2));
    const c = await store.save(sampleArtifacts(3));
    await store.setCurrent(b.version);
    const other = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('models');
      request.onsuccess = () => resolve(request.result);
    });
    const write = (work: (tx: IDBTransaction) => void) =>
      new Promise((resolve) => {
        const tx = other.transaction(['model-weights', 'model-state'], 'readwrite');
        work(tx);
        tx.oncomplete = resolve;
      });
    // b's weights cut short: b cannot be loaded, so the newest readable version, c, is current.
    await write((tx) => tx.objectStore('model-weights').put(new ArrayBuffer(8), b.version));
    expect((await store.current())?.version).toBe(c.version);
    expect(firstWeight((await store.load())?.artifacts)).toBe(3);
    await expectCode(store.load(b.version), 'STORAGE_FAILED');
    await expectCode(store.setCurrent(b.version), 'STORAGE_FAILED');
    // c's weights gone and no current pointer: the newest readable one left is a.
    await write((tx) => {
      tx.objectStore('model-weights').delete(c.version);
      tx.objectStore('model-state').clear();
    });
    expect(firstWeight((await store.load())?.artifacts)).toBe(1);
    expect(await store.rollback()).toBeUndefined();
    other.close();
    await store.close();
  });

  it('prunes weights with their versions', async () => {
    const indexedDB = freshIndexedDB();
    const store = await createIndexedDBModelStore({ name: 'models', indexedDB, keep: 2 });
    for (let i = 0; i < 5; i++) await store.save(sampleArtifacts(i));
    await store.close();
    const other = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('models');
      request.onsuccess = () => resolve(request.result);
    });
    const count = await new Promise<number>((resolve) => {
      const request = other.transaction('model-weights').objectStore('model-weights').count();
      request.onsuccess = () => resolve(request.result);
    });
    expect(count).toBe(2);
    other.close();
  });

  it('falls back to the memory model store without IndexedDB', async () => {
    const store = await createIndexedDBModelStore({ name: 'models', keep: 2 });
    expect(store.persistent).toBe(false);
    for (let i = 0; i < 4; i++) await store.save(sampleArtifacts(i));
    expect(await store.list()).toHaveLength(2);
    await store.close();
  });
});
