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
  // The script-tag build: core and this adapter (with idb and the bundled weights) in one minified
  // file. tfjs stays out, so a page pays for it once, from its own tags, at the version it chose.
  packageBuild({
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
