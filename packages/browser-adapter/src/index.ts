/**
 * Browser adapter for `@crazy-digits/core`: corrections and versioned models in IndexedDB, and a
 * framework-free drawing pad whose image goes straight into `recognizer.predict`.
 *
 * @packageDocumentation
 */

export {
  CanvasUnavailableError,
  createDrawingPad,
  type DrawingPad,
  type DrawingPadOptions,
} from './pad/index.js';
export {
  createIndexedDBCorrectionStore,
  createIndexedDBModelStore,
  DatabaseBlockedError,
  type IndexedDBCorrectionStoreOptions,
  type IndexedDBModelStoreOptions,
  type IndexedDBStoreOptions,
  StorageQuotaExceededError,
} from './stores/index.js';
