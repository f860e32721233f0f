export { type PendingAdd, type QueueAddOptions, queueAdd } from './batched-add.js';
export {
  DuplicateCorrectionError,
  InvalidCorrectionError,
  InvalidExportError,
  StorageError,
  StoreClosedError,
} from './errors.js';
export { createCorrectionId, isValidCorrectionId } from './ids.js';
export { createMemoryCorrectionStore } from './memory-store.js';
export { listPage, matchesFilter, pageSize, parseCursor } from './paging.js';
export { encodeCorrections, importCorrections, withPortableFormat } from './portable.js';
export type {
  Correction,
  CorrectionFilter,
  CorrectionPage,
  CorrectionStore,
  CorrectionStream,
  ImportResult,
  ListOptions,
  NewCorrection,
} from './types.js';
export { copyCorrection, prepareCorrection, validateCorrection } from './validate.js';
