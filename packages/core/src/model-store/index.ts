export { newVersion, type PreparedArtifacts, prepareArtifacts, prepareVersion } from './artifacts.js';
export { InvalidModelArtifactsError, ModelVersionNotFoundError } from './errors.js';
export { createMemoryModelStore, type MemoryModelStoreOptions } from './memory-store.js';
export type { ModelStore, ModelVersion, ModelVersionMeta, StoredModel } from './types.js';
