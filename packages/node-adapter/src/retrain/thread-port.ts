import type { MessagePort, Worker } from 'node:worker_threads';
import type { RetrainMessagePort } from '@crazy-digits/core/store-kit';

/**
 * A `worker_threads` end as core's retrain port: a `Worker`, seen from the thread that started it,
 * or a worker's `parentPort`. A worker that throws or exits, or a port that closes, ends the
 * link; once unsubscribed, those events are ignored, but an 'error' listener stays so that a late
 * one cannot crash the process.
 */
export function threadPort(end: Worker | MessagePort): RetrainMessagePort {
  return {
    postMessage: (message, transfer) => end.postMessage(message, transfer),
    listen(onMessage, onClose) {
      let live = true;
      const closed = (reason: string, cause?: unknown) => {
        if (live) onClose(reason, cause);
      };
      end.on('message', onMessage);
      end.on('messageerror', (error: Error) =>
        closed(`a message could not be read: ${error.message}`, error),
      );
      end.on('error', (error: Error) => closed(error.message, error));
      end.on('exit', (code: number) => closed(`it exited with code ${code}`));
      end.on('close', () => closed('its port closed'));
      return () => {
        live = false;
        end.off('message', onMessage);
      };
    },
    ref: () => end.ref(),
    unref: () => end.unref(),
    close: () => void ('terminate' in end ? end.terminate() : end.close()),
  };
}
