export { RetrainWorkerError } from '@crazy-digits/core';
export {
  createWorkerThreadsRetrainer,
  type WorkerThreadsRetrainerOptions,
} from './worker-threads-retrainer.js';
