/**
 * Entry of the script-tag build, `dist/crazy-digits.global.js`: core and this adapter on one
 * global, `crazyDigits`, for pages without a bundler. TensorFlow.js is not in it: the page loads
 * it first with its own script tags (`tf.min.js`, `tf-backend-wasm.min.js`), as the global `tf`.
 */
export * from '@crazy-digits/core';
export * from './index.js';
