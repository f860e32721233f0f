/**
 * Entry of the retrain Web Worker that `createWorkerRetrainer` starts: serves retrain requests
 * on the worker's own scope. It does nothing useful outside a worker.
 */
import { serveRetrainRequests } from './serve-retrain-requests.js';

serveRetrainRequests(self);
