/**
 * TensorFlow.js for test pages, by alias: a page's own folder has no `node_modules`, and a module
 * in the repository resolves to the same pre-bundled copy core uses (one engine, one registry).
 */
export * from '@tensorflow/tfjs';
