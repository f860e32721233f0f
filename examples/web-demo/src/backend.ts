import { useBackend } from '@crazy-digits/core';
// Imported as URLs, the .wasm files are served in dev and copied into the build as hashed assets,
// wherever the site is hosted; tfjs otherwise looks for them beside its own (bundled) script.
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Where the tfjs wasm backend's binaries are served from, for `setWasmPaths` (main thread and workers). */
export const wasmPaths = {
  'tfjs-backend-wasm.wasm': new URL(wasm, document.baseURI).href,
  'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, document.baseURI).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreadedSimd, document.baseURI).href,
};

/**
 * Starts TensorFlow.js: the wasm backend with crazy-digits' training kernels, or the plain
 * JavaScript one where WebAssembly cannot run. Returns the backend's name.
 */
export function startBackend(): Promise<string> {
  return useBackend('auto', { wasmPaths });
}
