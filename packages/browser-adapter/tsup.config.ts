import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

/** The tfjs imports of the script-tag build, read from the globals tfjs's own script tags set. */
const TFJS_GLOBALS: Record<string, string> = {
  '@tensorflow/tfjs': 'globalThis.tf',
  '@tensorflow/tfjs-backend-wasm': 'globalThis.tf.wasm',
};

const tfjsFromGlobals: Plugin = {
  name: 'tfjs-from-globals',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs(-backend-wasm)?$/ }, ({ path }) => ({
      path,
      namespace: 'tfjs-global',
    }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-global' }, ({ path }) => ({
      contents: `module.exports = ${TFJS_GLOBALS[path]};`,
      loader: 'js',
    }));
  },
};

export default defineConfig([
  packageBuild({
    // The retrain worker is a file of its own beside index.js: `createWorkerRetrainer` starts it
    // with `new Worker(new URL('./retrain-worker.js', import.meta.url))`, which bundlers follow.
    // It imports this package by name (see the entry), which stays an import.
    entry: { index: 'src/index.ts', 'retrain-worker': 'src/worker/retrain-worker.ts' },
    external: ['@crazy-digits/browser-adapter'],
    dts: { entry: 'src/index.ts' },
  }),
  // The script-tag build: core and this adapter (with idb) in one minified file. tfjs stays out,
  // so a page pays for it once, from its own tags, at the version it chose. A script has no
  // `import.meta.url`: the script's own URL, taken while it runs, stands in for it, and the files
  // core reads beside its modules (weights, retraining digits, wasm binaries) are copied beside it.
  packageBuild({
    banner: {
      js: "var __crazyDigitsScriptUrl = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;",
    },
    define: { 'import.meta.url': '__crazyDigitsScriptUrl' },
    assets: [
      ...[
        'bundled-weights.bin',
        'rehearsal-set.bin',
        'tfjs-backend-wasm.wasm',
        'tfjs-backend-wasm-simd.wasm',
        'tfjs-backend-wasm-threaded-simd.wasm',
        'tfjs-backend-wasm.LICENSE.txt',
      ].map((file) => ({ from: `../core/dist/${file}`, to: file })),
    ],
    entry: { 'crazy-digits': 'src/global.ts' },
    format: ['iife'],
    globalName: 'crazyDigits',
    platform: 'browser',
    minify: true,
    dts: false,
    clean: false,
    sourcemap: false,
    noExternal: ['@crazy-digits/core', 'idb'],
    esbuildPlugins: [tfjsFromGlobals],
  }),
]);
