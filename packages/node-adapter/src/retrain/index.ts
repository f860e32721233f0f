export { RetrainWorkerError } from '@crazy-digits/core/store-kit';
export {
  createWorkerThreadsRetrainer,
  type WorkerThreadsRetrainerOptions,
} from './worker-threads-retrainer.js';
