import type { BackendPreference, Retrainer, RetrainerOptions } from '@crazy-digits/core';
import { createPortRetrainer, type RetrainWorkerSetup } from '@crazy-digits/core/store-kit';
import type { DigitDataset } from '@crazy-digits/core/training';
import { startWorker, workerEntryBeside } from '../threads/start-worker.js';
import { threadPort } from './thread-port.js';

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

/** What the retrain worker is started with (its `workerData`). */
export interface RetrainWorkerData {
  setup: RetrainWorkerSetup;
  lowPriority: boolean;
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
  return createPortRetrainer(() => {
    // Datasets go to shared memory once, on first use, and serve every worker started later.
    workerData ??= {
      lowPriority,
      setup: {
        backend,
        retrainer: {
          ...plain,
          ...(rehearsal ? { rehearsal: shared(rehearsal) } : {}),
          ...(validation ? { validation: shared(validation) } : {}),
          ...(fullData ? { fullData: shared(fullData) } : {}),
        },
      },
    };
    return threadPort(startWorker(entry, { workerData }));
  });
}
