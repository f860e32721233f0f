export type { IndexedDBStoreOptions } from './database.js';
export { DatabaseBlockedError, StorageQuotaExceededError } from './errors.js';
export {
  createIndexedDBCorrectionStore,
  type IndexedDBCorrectionStoreOptions,
} from './indexeddb-correction-store.js';
export { createIndexedDBModelStore, type IndexedDBModelStoreOptions } from './indexeddb-model-store.js';
