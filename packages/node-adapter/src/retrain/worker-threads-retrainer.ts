import type { Worker } from 'node:worker_threads';
import {
  type BackendPreference,
  MNIST_PIXELS,
  type Retrainer,
  type RetrainerOptions,
  type RetrainProgress,
} from '@crazy-digits/core';
import {
  fromWireError,
  RetrainerDisposedError,
  type RetrainRequest,
  type RetrainResult,
} from '@crazy-digits/core/store-kit';
import type { DigitDataset } from '@crazy-digits/core/training';
import type * as tf from '@tensorflow/tfjs';
import { startWorker, workerEntryBeside } from '../threads/start-worker.js';
import { RetrainWorkerError } from './errors.js';
import type { BaseModel, RetrainCommand, RetrainReply, RetrainWorkerData } from './protocol.js';

/**
 * Options for {@link createWorkerThreadsRetrainer}: core's `RetrainerOptions` (all plain data,
 * passed to `createRetrainer` in the worker) and the worker's backend.
 */
export interface WorkerThreadsRetrainerOptions extends RetrainerOptions {
  /**
   * The TensorFlow.js backend the worker selects with core's `useBackend`. Default `'auto'`
   * (tfjs-node when installed, else wasm).
   */
  backend?: BackendPreference;
  /**
   * Run the worker thread at the lowest CPU priority (nice 19), so that when the cores are busy
   * the event loop's predictions go first and the retrain takes what is left. Default `true`.
   * Only on Linux, where one thread can have its own priority; elsewhere it has no effect.
   */
  lowPriority?: boolean;
}

interface Pending {
  resolve(result: RetrainResult): void;
  reject(error: unknown): void;
  onProgress?: (progress: RetrainProgress) => void;
}

function sharedCopy<T extends Float32Array | Uint8Array>(
  array: T,
  make: (buffer: SharedArrayBuffer) => T,
): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = make(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/** The dataset on shared memory: copied once, then seen by every worker without another copy. */
const shared = (data: DigitDataset): DigitDataset => ({
  images: sharedCopy(data.images, (buffer) => new Float32Array(buffer)),
  labels: sharedCopy(data.labels, (buffer) => new Uint8Array(buffer)),
});

/** Artifacts without `getWeightStream`, the one field that is a function and cannot be posted. */
function postable(artifacts: tf.io.ModelArtifacts): tf.io.ModelArtifacts {
  const { getWeightStream: _stream, ...data } = artifacts;
  return data;
}

/**
 * A `Retrainer` that runs core's `createRetrainer(options)` in a `worker_threads` worker, so
 * neither the event loop nor predictions wait while it trains. Pass it as `createRecognizer`'s
 * `retrainer` option.
 *
 * The worker starts on the first `retrain` and stays for the next ones (keeping the bundled
 * digits decoded and its evaluation of the base model); runs are done one at a time, in order.
 * Corrections are packed into one buffer and transferred; the candidate's weights come back
 * transferred. Errors come back with their `code` (core's retrain errors as their own classes);
 * aborting the request's `signal` rejects at once with its reason and stops the worker's run at
 * its next step. The idle worker is unref'd, so it never keeps the process alive; a crashed
 * worker fails its runs with `RetrainWorkerError` and a new one starts on the next call.
 * `dispose()` terminates it and rejects what is pending with `RetrainerDisposedError`.
 *
 * @example
 * ```ts
 * const retrainer = createWorkerThreadsRetrainer({ maxSteps: 100 });
 * const recognizer = await createRecognizer({ store, modelStore, retrainer });
 * await recognizer.retrain();   // trains in the worker; predict() keeps answering meanwhile
 * retrainer.dispose();
 * ```
 */
export function createWorkerThreadsRetrainer(options: WorkerThreadsRetrainerOptions = {}): Retrainer {
  return createWorkerThreadsRetrainerOn(workerEntryBeside(import.meta.url, 'retrain-worker'), options);
}

/** {@link createWorkerThreadsRetrainer} with another worker entry file (tests use failing ones). */
export function createWorkerThreadsRetrainerOn(
  entry: URL,
  options: WorkerThreadsRetrainerOptions = {},
): Retrainer {
  const { backend = 'auto', lowPriority = true, rehearsal, validation, fullData, ...plain } = options;
  let workerData: RetrainWorkerData | undefined;
  let worker: Worker | undefined;
  /** The base last sent to the current worker, which the worker still holds. */
  let sentBase: { artifacts: tf.io.ModelArtifacts; key: number } | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextKey = 1;
  let disposed = false;

  function settle(id: number): Pending | undefined {
    const entry = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker?.unref();
    return entry;
  }

  function failAll(error: unknown) {
    for (const id of [...pending.keys()]) settle(id)?.reject(error);
  }

  function onReply(reply: RetrainReply) {
    if (reply.type === 'progress') {
      pending.get(reply.id)?.onProgress?.(reply.progress);
      return;
    }
    const entry = settle(reply.id);
    if (!entry) return; // aborted on this side already
    if (reply.type === 'error') entry.reject(fromWireError(reply.error));
    else {
      entry.resolve({
        accepted: reply.accepted,
        ...(reply.reason === undefined ? {} : { reason: reply.reason }),
        artifacts: reply.artifacts,
        metrics: reply.metrics,
        ...(reply.featureMean === undefined ? {} : { featureMean: reply.featureMean }),
        ...(reply.rehearsal === undefined ? {} : { rehearsal: reply.rehearsal }),
      });
    }
  }

  function spawn(): Worker {
    // Datasets go to shared memory once, on first use, and serve every worker started later.
    workerData ??= {
      backend,
      lowPriority,
      ...plain,
      ...(rehearsal ? { rehearsal: shared(rehearsal) } : {}),
      ...(validation ? { validation: shared(validation) } : {}),
      ...(fullData ? { fullData: shared(fullData) } : {}),
    };
    const started = startWorker(entry, { workerData });
    started.unref();
    const lost = (error: RetrainWorkerError) => {
      if (worker !== started) return;
      worker = undefined;
      sentBase = undefined;
      failAll(error);
    };
    started.on('message', (reply: RetrainReply) => {
      if (worker === started) onReply(reply);
    });
    started.on('messageerror', (error) => lost(new RetrainWorkerError(error.message, { cause: error })));
    started.on('error', (error) => lost(new RetrainWorkerError(error.message, { cause: error })));
    started.on('exit', (code) => lost(new RetrainWorkerError(`it exited with code ${code}`)));
    return started;
  }

  function baseFor(artifacts: tf.io.ModelArtifacts): BaseModel {
    if (sentBase?.artifacts === artifacts) return { key: sentBase.key };
    sentBase = { artifacts, key: nextKey++ };
    return { key: sentBase.key, artifacts: postable(artifacts) };
  }

  async function retrain(request: RetrainRequest): Promise<RetrainResult> {
    if (disposed) throw new RetrainerDisposedError();
    const { signal } = request;
    signal?.throwIfAborted();
    const count = request.corrections.length;
    const images = new Float32Array(count * MNIST_PIXELS);
    const labels = new Uint8Array(count);
    request.corrections.forEach((correction, i) => {
      images.set(correction.image, i * MNIST_PIXELS);
      labels[i] = correction.label;
    });
    worker ??= spawn();
    const target = worker;
    const id = nextId++;
    const command: RetrainCommand = {
      type: 'retrain',
      id,
      base: baseFor(request.base),
      images,
      labels,
      mode: request.mode ?? 'incremental',
      ...(request.baseOnRehearsal ? { baseOnRehearsal: request.baseOnRehearsal } : {}),
      ...(request.baseEvaluation ? { baseEvaluation: request.baseEvaluation } : {}),
    };
    return new Promise<RetrainResult>((resolve, reject) => {
      const onAbort = () => {
        if (!settle(id)) return;
        target.postMessage({ type: 'abort', id } satisfies RetrainCommand);
        reject(signal?.reason);
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      pending.set(id, {
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      // A run in progress keeps the process alive, as work on this thread would.
      target.ref();
      target.postMessage(command, [images.buffer, labels.buffer]);
    });
  }

  return {
    retrain,
    dispose() {
      if (disposed) return;
      disposed = true;
      const stopping = worker;
      worker = undefined;
      failAll(new RetrainerDisposedError());
      void stopping?.terminate();
    },
  };
}
