import { isCrazyDigitsError, type RetrainProgress } from '@crazy-digits/core';
import { fromWireError, type RetrainRequest, type RetrainResult } from '@crazy-digits/core/store-kit';
import { RetrainWorkerError } from './errors.js';
import type { ConfigureMessage, FromWorkerMessage, RetrainPort } from './messages.js';
import { startPort } from './serve-retrain-requests.js';
import { toRetrainMessage } from './wire.js';

interface PendingRun {
  resolve(result: RetrainResult): void;
  reject(error: unknown): void;
  onProgress?: (progress: RetrainProgress) => void;
}

/** The page's side of the protocol, over one port. */
export interface RetrainClient {
  /** Posts `request` and settles with the worker's answer, or with the signal's reason on abort. */
  retrain(request: RetrainRequest): Promise<RetrainResult>;
  /** Runs posted and not yet answered. */
  readonly pending: number;
  /** The worker's TensorFlow.js backend, from its first answer on. */
  readonly backend: string | undefined;
  /** Rejects every pending run with `error` and stops listening. */
  close(error: Error): void;
}

/** An error from the worker: re-thrown with its own code when it has one. */
function rethrowable(error: Error): Error {
  return isCrazyDigitsError(error)
    ? error
    : new RetrainWorkerError(`the retrain failed in the worker: ${error.message}`, { cause: error });
}

/**
 * Connects to a worker serving `serveRetrainRequests` on `port`. `configuration` is posted before
 * the first request.
 */
export function connectRetrainClient(port: RetrainPort, configuration: ConfigureMessage): RetrainClient {
  const runs = new Map<number, PendingRun>();
  let nextId = 1;
  let configured = false;
  let backend: string | undefined;

  const onMessage = (event: MessageEvent) => {
    const message: FromWorkerMessage = event.data;
    // Runs aborted here are already settled: their late answers are dropped.
    const run = runs.get(message.id);
    if (!run) return;
    switch (message.type) {
      case 'progress':
        try {
          run.onProgress?.(message.progress);
        } catch (error) {
          // As in-process: a throwing progress callback fails the run.
          abort(message.id, error);
        }
        break;
      case 'result':
        backend = message.backend;
        runs.delete(message.id);
        run.resolve(message.result);
        break;
      case 'error':
        runs.delete(message.id);
        run.reject(rethrowable(fromWireError(message.error)));
        break;
    }
  };
  port.addEventListener('message', onMessage);
  startPort(port);

  function abort(id: number, reason: unknown) {
    const run = runs.get(id);
    if (!run) return;
    runs.delete(id);
    port.postMessage({ type: 'abort', id }, { transfer: [] });
    run.reject(reason);
  }

  async function retrain(request: RetrainRequest): Promise<RetrainResult> {
    const { signal, onProgress } = request;
    signal?.throwIfAborted();
    const id = nextId++;
    const { message, transfer } = toRetrainMessage(id, request);
    try {
      if (!configured) port.postMessage(configuration, { transfer: [] });
      configured = true;
      port.postMessage(message, { transfer });
    } catch (error) {
      throw new RetrainWorkerError('could not post the retrain request to the worker', { cause: error });
    }
    const onAbort = () => abort(id, signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<RetrainResult>((resolve, reject) => {
        runs.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    retrain,
    get pending() {
      return runs.size;
    },
    get backend() {
      return backend;
    },
    close(error) {
      port.removeEventListener('message', onMessage);
      for (const run of runs.values()) run.reject(error);
      runs.clear();
    },
  };
}
