/**
 * Entry file of a `worker_threads` gradient worker: serves the coordinator on `parentPort`. The
 * pool starts it; it does nothing useful on its own.
 */
import { parentPort } from 'node:worker_threads';
import { serveGradientWorker } from '@crazy-digits/core/store-kit';

const port = parentPort;
if (port) {
  serveGradientWorker({
    postMessage: (message) => port.postMessage(message),
    listen: (onMessage) => {
      port.on('message', onMessage);
    },
  });
}
