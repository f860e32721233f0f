/**
 * Node.js adapter for `@crazy-digits/core`: corrections and versioned models kept durably on
 * disk (`createFileCorrectionStore`, `createFileModelStore`), safe image decoding for servers
 * (`decodeImage`), multi-core training and background retraining with `worker_threads`.
 *
 * @packageDocumentation
 */
export * from './image/index.js';
export {
  createWorkerThreadsRetrainer,
  RetrainWorkerError,
  type WorkerThreadsRetrainerOptions,
} from './retrain/index.js';
export * from './stores/index.js';
export {
  createWorkerThreadsGradientPool,
  type WorkerThreadsGradientPoolOptions,
} from './training/index.js';
