/** The three binaries of `@tensorflow/tfjs-backend-wasm`, by the names tfjs asks for. */
export type WasmFileName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Where the wasm backend finds its binaries: a URL prefix ending in `/`, or a URL per file. */
export type WasmPaths = string | Partial<Record<WasmFileName, string>>;

/**
 * The copies of tfjs's `.wasm` files that the build puts beside this module in `dist/` (see the
 * package's tsup config). Each is a literal `new URL('./…', import.meta.url)`: Vite, webpack 5,
 * Rollup and Parcel emit the file into the app's build and rewrite the URL, and Vite's dev server
 * serves it from `node_modules`, so a bundled app needs no configuration. Each bundler looks for
 * this exact expression, so the three stay spelled out.
 *
 * `undefined` where there is no module URL to resolve against: the CommonJS build, a script-tag
 * (IIFE) build, or an environment where `import.meta.url` is not a URL.
 */
export function shippedWasmPaths(): Record<WasmFileName, string> | undefined {
  try {
    return {
      'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
      'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(
        './tfjs-backend-wasm-threaded-simd.wasm',
        import.meta.url,
      ).href,
    };
  } catch {
    return undefined;
  }
}
