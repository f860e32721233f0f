export {
  DuplicateCorrectionError,
  InvalidCorrectionError,
  InvalidExportError,
  StorageError,
  StoreClosedError,
} from './errors.js';
export { createCorrectionId, isValidCorrectionId } from './ids.js';
export { createMemoryCorrectionStore, pageSize, parseCursor } from './memory-store.js';
export { encodeCorrections, importCorrections } from './portable.js';
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
