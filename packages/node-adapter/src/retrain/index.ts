export { RetrainWorkerError } from './errors.js';
export {
  createWorkerThreadsRetrainer,
  type WorkerThreadsRetrainerOptions,
} from './worker-threads-retrainer.js';
