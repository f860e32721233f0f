import { packageBuild } from '../../tsup.base.js';

// Three entries share one copy of each module: `splitting` puts what they share in chunks, for
// CommonJS too, so an error class is the same class whichever entry it came through.
export default packageBuild({
  entry: ['src/index.ts', 'src/store-kit.ts', 'src/training.ts'],
  splitting: true,
  // tfjs's wasm binaries beside the chunks, where `backend/wasm-files.ts` points bundlers to them.
  assets: [
    ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map(
      (file) => ({ from: `@tensorflow/tfjs-backend-wasm/dist/${file}`, to: file }),
    ),
    { from: './assets/tfjs-backend-wasm.LICENSE.txt', to: 'tfjs-backend-wasm.LICENSE.txt' },
  ],
});
