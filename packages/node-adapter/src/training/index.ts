export {
  createWorkerThreadsGradientPool,
  type WorkerThreadsGradientPoolOptions,
} from './worker-threads-pool.js';
