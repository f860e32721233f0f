export { type StoreDamage, StoreDamagedError } from './errors.js';
export { createFileCorrectionStore, type FileCorrectionStoreOptions } from './file-correction-store.js';
export { createFileModelStore, type FileModelStoreOptions } from './file-model-store.js';
