/**
 * Browser adapter for `@crazy-digits/core`: corrections and versioned models in IndexedDB, a
 * framework-free drawing pad (also as a `<digit-pad>` element) whose image goes straight into
 * `recognizer.predict`, retraining in a Web Worker, and cross-tab coordination of retraining.
 *
 * @packageDocumentation
 */

export {
  coordinateRetraining,
  type RetrainCoordinationOptions,
  type RetrainCoordinator,
} from './coordination/index.js';
export {
  CanvasUnavailableError,
  createDrawingPad,
  type DigitPadElement,
  type DigitPadEventMap,
  type DrawingPad,
  type DrawingPadOptions,
  defineDigitPad,
  type StrokeEndDetail,
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
export {
  createWorkerRetrainer,
  type RetrainPort,
  RetrainWorkerError,
  serveRetrainRequests,
  type WorkerRetrainer,
  type WorkerRetrainerOptions,
} from './worker/index.js';
