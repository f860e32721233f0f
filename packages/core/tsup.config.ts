import { packageBuild } from '../../tsup.base.js';

// Three entries share one copy of each module: `splitting` puts what they share in chunks, for
// CommonJS too, so an error class is the same class whichever entry it came through. `shims`
// gives the CommonJS build an `import.meta.url` (its file's URL), which names the files below.
export default packageBuild({
  entry: ['src/index.ts', 'src/store-kit.ts', 'src/training.ts'],
  splitting: true,
  shims: true,
  // Files modules read from beside themselves (`new URL('./name', import.meta.url)`); every module
  // lands directly in dist/, so each file goes there under its own name: the shipped weights and
  // retraining digits, and tfjs's wasm binaries (where `backend/wasm-files.ts` points bundlers).
  assets: [
    { from: './src/model/bundled-weights.bin', to: 'bundled-weights.bin' },
    { from: './src/retrain/rehearsal-set.bin', to: 'rehearsal-set.bin' },
    ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map(
      (file) => ({ from: `@tensorflow/tfjs-backend-wasm/dist/${file}`, to: file }),
    ),
    { from: './assets/tfjs-backend-wasm.LICENSE.txt', to: 'tfjs-backend-wasm.LICENSE.txt' },
  ],
});
