import { access } from 'node:fs/promises';
import type { ModelStore } from '@crazy-digits/core';
import { ModelVersionNotFoundError, StoreClosedError } from '@crazy-digits/core/store-kit';
import { createFileModelStore, type FileModelStoreOptions } from '@crazy-digits/node-adapter';

/**
 * A file model store that touches the disk only once something is saved: until then, and while
 * its directory does not exist, it reads as empty. A user who only predicts leaves no directory.
 */
export function createLazyFileModelStore(options: FileModelStoreOptions): ModelStore {
  let opened: Promise<ModelStore> | undefined;
  let closed = false;
  const open = () => {
    if (closed && !opened) throw new StoreClosedError();
    opened ??= createFileModelStore(options);
    return opened;
  };
  const existing = async (): Promise<ModelStore | undefined> => {
    if (opened || closed) return open();
    try {
      await access(options.dir);
    } catch {
      return undefined;
    }
    return open();
  };
  return {
    persistent: true,
    save: async (artifacts, meta) => (await open()).save(artifacts, meta),
    current: async () => (await existing())?.current(),
    load: async (version) => (await existing())?.load(version),
    list: async () => (await (await existing())?.list()) ?? [],
    async setCurrent(version) {
      const store = await existing();
      if (!store) throw new ModelVersionNotFoundError(version);
      return store.setCurrent(version);
    },
    rollback: async () => (await existing())?.rollback(),
    async close() {
      closed = true;
      // A store that failed to open has nothing to close (its opener saw the error).
      const store = await opened?.catch(() => undefined);
      await store?.close();
    },
  };
}

/** A model store that is still being opened: each call waits for it. For stores opened on demand. */
export function deferredModelStore(opening: Promise<ModelStore>): ModelStore {
  // Failures reach the callers; an unobserved one must not end the process.
  opening.catch(() => {});
  return {
    persistent: true,
    save: async (artifacts, meta) => (await opening).save(artifacts, meta),
    current: async () => (await opening).current(),
    load: async (version) => (await opening).load(version),
    list: async () => (await opening).list(),
    setCurrent: async (version) => (await opening).setCurrent(version),
    rollback: async () => (await opening).rollback(),
    async close() {
      const store = await opening.catch(() => undefined);
      await store?.close();
    },
  };
}
