import type { ModelStore } from '@crazy-digits/core';
import { describeModelStoreContract } from '@crazy-digits/test-utils';
import { createIndexedDBModelStore } from '../src/index.js';
import { freshIndexedDB } from './fake-indexeddb.js';

describeModelStoreContract('IndexedDB', async () => {
  const indexedDB = freshIndexedDB();
  const open = () => createIndexedDBModelStore({ name: 'models-contract', keep: 3, indexedDB });
  let store: ModelStore = await open();
  return {
    store,
    keep: 3,
    reopen: async () => {
      await store.close();
      store = await open();
      return store;
    },
    dispose: async () => {},
  };
});
