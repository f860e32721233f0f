import type { CorrectionStore } from '@crazy-digits/core';
import { describeCorrectionStoreContract } from '@crazy-digits/test-utils';
import { createIndexedDBCorrectionStore } from '../src/index.js';
import { freshIndexedDB } from './fake-indexeddb.js';

describeCorrectionStoreContract('IndexedDB', async () => {
  const indexedDB = freshIndexedDB();
  const open = () => createIndexedDBCorrectionStore({ name: 'corrections-contract', indexedDB });
  let store: CorrectionStore = await open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await open();
      return store;
    },
    dispose: async () => {},
  };
});
