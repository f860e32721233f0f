import { createRetrainer, type Retrainer, useBackend } from '@crazy-digits/core';
import { toWireError } from '@crazy-digits/core/store-kit';
import type {
  ConfigureMessage,
  FromWorkerMessage,
  RetrainMessage,
  RetrainPort,
  ToWorkerMessage,
} from './messages.js';
import { correctionsOf, transferablesOf } from './wire.js';

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
  let configuration: ConfigureMessage | undefined;
  let setup: Promise<{ retrainer: Retrainer; backend: string }> | undefined;
  const runs = new Map<number, AbortController>();
  let queue: Promise<void> = Promise.resolve();

  const post = (message: FromWorkerMessage, transfer: Transferable[] = []) =>
    port.postMessage(message, { transfer });

  function ready() {
    setup ??= (async () => {
      const { backend = 'auto', wasmPaths, retrainer = {} } = configuration ?? {};
      const name = await useBackend(backend, wasmPaths === undefined ? {} : { wasmPaths });
      return { retrainer: createRetrainer(retrainer), backend: name };
    })();
    // A failed set-up is tried again by the next request rather than kept.
    setup.catch(() => {
      setup = undefined;
    });
    return setup;
  }

  async function run(message: RetrainMessage, signal: AbortSignal) {
    const { id } = message;
    try {
      signal.throwIfAborted();
      const { retrainer, backend } = await ready();
      const result = await retrainer.retrain({
        base: message.base,
        corrections: correctionsOf(message),
        mode: message.mode,
        ...(message.baseOnRehearsal ? { baseOnRehearsal: message.baseOnRehearsal } : {}),
        ...(message.baseEvaluation ? { baseEvaluation: message.baseEvaluation } : {}),
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }),
      });
      post({ type: 'result', id, result, backend }, transferablesOf(result));
    } catch (error) {
      post({ type: 'error', id, error: toWireError(error) });
    } finally {
      runs.delete(id);
    }
  }

  const onMessage = (event: MessageEvent) => {
    const message: ToWorkerMessage = event.data;
    switch (message.type) {
      case 'configure':
        // Only before set-up: the backend cannot change under a run.
        if (!setup) configuration = message;
        break;
      case 'retrain': {
        const controller = new AbortController();
        runs.set(message.id, controller);
        queue = queue.then(() => run(message, controller.signal));
        break;
      }
      case 'abort':
        runs.get(message.id)?.abort(new DOMException('the retrain was aborted', 'AbortError'));
        break;
    }
  };
  port.addEventListener('message', onMessage);
  startPort(port);

  return () => {
    port.removeEventListener('message', onMessage);
    for (const controller of runs.values())
      controller.abort(new DOMException('the worker stopped', 'AbortError'));
    void setup?.then(({ retrainer }) => retrainer.dispose()).catch(() => undefined);
  };
}

/** A `MessagePort` queues messages until started; workers and worker scopes have no `start`. */
export function startPort(port: RetrainPort): void {
  if ('start' in port && typeof port.start === 'function') port.start();
}
