export { RetrainWorkerError } from '@crazy-digits/core/store-kit';
export {
  createWorkerRetrainer,
  type WorkerRetrainer,
  type WorkerRetrainerOptions,
} from './create-worker-retrainer.js';
export type { RetrainPort } from './dom-port.js';
export { serveRetrainRequests } from './serve-retrain-requests.js';
