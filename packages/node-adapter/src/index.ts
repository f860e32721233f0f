/**
 * Node.js adapter for `@crazy-digits/core`: multi-core training with `worker_threads`. The
 * file-backed `CorrectionStore` and `ModelStore`, image decoding and tfjs-node integration are
 * added here as they land (see the package README).
 *
 * @packageDocumentation
 */
export {
  createWorkerThreadsGradientPool,
  type WorkerThreadsGradientPoolOptions,
} from './training/index.js';
