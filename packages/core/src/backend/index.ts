export { BackendUnavailableError } from './errors.js';
export { type BackendPreference, type UseBackendOptions, useBackend } from './use-backend.js';
export type { WasmFileName, WasmPaths } from './wasm-files.js';
export { registerWasmTrainingKernels, restoreStockWasmKernels } from './wasm-kernels/register.js';
