import { serveRetrainer } from '@crazy-digits/core/store-kit';
import { domPort, type RetrainPort } from './dom-port.js';

/**
 * The worker's side of the protocol: answers retrain requests arriving on `port` with core's
 * `createRetrainer()`, one run at a time, on the backend the page configured (selected with
 * core's `useBackend` before the first run). Progress, results and errors go back on `port`;
 * result weights are transferred, not copied. An abort message aborts the run's signal, so it
 * stops between training steps. Returns a function that stops serving and frees the retrainer.
 *
 * The package's worker entry calls it on `self`; call it yourself in a worker entry of your own
 * (to add a backend, or where the bundled entry cannot be used).
 *
 * @example
 * ```ts
 * // my-retrain-worker.ts
 * import '@tensorflow/tfjs-backend-webgpu';
 * import { serveRetrainRequests } from '@crazy-digits/browser-adapter';
 * serveRetrainRequests(self);
 * ```
 */
export function serveRetrainRequests(port: RetrainPort): () => void {
  return serveRetrainer(domPort(port));
}
