export {
  createWorkerRetrainer,
  type WorkerRetrainer,
  type WorkerRetrainerOptions,
} from './create-worker-retrainer.js';
export { RetrainWorkerError } from './errors.js';
export type { RetrainPort } from './messages.js';
export { serveRetrainRequests } from './serve-retrain-requests.js';
