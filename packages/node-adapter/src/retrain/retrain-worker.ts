/**
 * Entry file of the retrain worker thread: serves core's retrain protocol to
 * `createWorkerThreadsRetrainer`. It does nothing useful on its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveRetrainer } from '@crazy-digits/core/store-kit';
import { lowerThreadPriority } from '../threads/priority.js';
import { threadPort } from './thread-port.js';
import type { RetrainWorkerData } from './worker-threads-retrainer.js';

const port = parentPort;
if (port) {
  const { setup, lowPriority }: RetrainWorkerData = workerData;
  if (lowPriority) lowerThreadPriority();
  serveRetrainer(threadPort(port), { setup });
}
