import type { RetrainMessagePort } from '@crazy-digits/core/store-kit';

/**
 * One end of a message channel: a `Worker`, a `MessagePort`, or a worker's own global scope
 * (`self`). Both sides of the retrain protocol talk through it.
 */
export interface RetrainPort {
  /** Posts `message`, moving the buffers in `options.transfer` instead of copying them. */
  postMessage(message: unknown, options: StructuredSerializeOptions): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** What the retrainer needs of a worker; a DOM `Worker` is one. */
export interface RetrainWorkerHandle extends RetrainPort {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

const isWorker = (port: RetrainPort | RetrainWorkerHandle): port is RetrainWorkerHandle =>
  'terminate' in port;

/** What went wrong with a worker, from its 'error' or 'messageerror' event. */
function reasonOf(event: Event): string {
  if (event.type === 'messageerror') return 'a message from it could not be read';
  const detail = 'message' in event && typeof event.message === 'string' ? `: ${event.message}` : '';
  return `it failed to load or crashed${detail}`;
}

/**
 * A DOM-style port as core's retrain port. A worker's 'error' and 'messageerror' events end the
 * link (they are ignored once it stops listening) and closing it terminates the worker. A
 * `MessagePort` queues messages until started; workers and worker scopes have no `start`.
 */
export function domPort(port: RetrainPort | RetrainWorkerHandle): RetrainMessagePort {
  return {
    postMessage: (message, transfer = []) => port.postMessage(message, { transfer }),
    listen(onMessage, onClose) {
      let live = true;
      const deliver = (event: MessageEvent) => onMessage(event.data);
      port.addEventListener('message', deliver);
      if (isWorker(port)) {
        const failed = (event: Event) => {
          if (live) onClose(reasonOf(event), event);
        };
        port.addEventListener('error', failed);
        port.addEventListener('messageerror', failed);
      }
      if ('start' in port && typeof port.start === 'function') port.start();
      return () => {
        live = false;
        port.removeEventListener('message', deliver);
      };
    },
    ...(isWorker(port) ? { close: () => port.terminate() } : {}),
  };
}
