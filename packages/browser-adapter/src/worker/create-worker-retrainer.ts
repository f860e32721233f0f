import type { BackendPreference, Retrainer, RetrainerOptions, UseBackendOptions } from '@crazy-digits/core';
import { createPortRetrainer, RetrainWorkerError } from '@crazy-digits/core/store-kit';
import { domPort, type RetrainWorkerHandle } from './dom-port.js';

/** Options for {@link createWorkerRetrainer}. */
export interface WorkerRetrainerOptions {
  /**
   * The worker to retrain in. Default: this package's worker entry, started with
   * `new Worker(new URL('./retrain-worker.js', import.meta.url), { type: 'module' })` (the
   * pattern Vite and webpack 5 bundle on their own). A URL or string starts a module worker on
   * that script; a function is called whenever a worker is needed (at the first run, and again
   * after a crash); a `Worker` is used as it is, and is not replaced if it fails. The script must
   * call `serveRetrainRequests(self)`, as the package's own entry does.
   */
  worker?: Worker | URL | string | (() => Worker);
  /** The TensorFlow.js backend of the worker, selected with core's `useBackend`. Default `'auto'`. */
  backend?: BackendPreference;
  /**
   * Where the worker's wasm backend finds its `.wasm` files (core's `useBackend` option): a URL
   * prefix ending in `/`, or a map from file name to URL. A worker looks for them beside its own
   * script, where bundlers do not put them: set this when the backend is `'wasm'` or `'auto'`.
   * Relative URLs resolve against the worker script, so prefer absolute ones.
   */
  wasmPaths?: UseBackendOptions['wasmPaths'];
  /**
   * Options of core's `createRetrainer` in the worker (steps, learning rate, gate, rehearsal and
   * validation digits…). Copied to the worker once, at its first run.
   */
  retrainer?: RetrainerOptions;
}

/** A `Retrainer` (from `@crazy-digits/core`) that runs in a Web Worker. */
export interface WorkerRetrainer extends Retrainer {
  /** The worker's TensorFlow.js backend (e.g. `'wasm'`), once a run has finished there. */
  readonly backend: string | undefined;
}

const defaultWorker = (): Worker =>
  new Worker(new URL('./retrain-worker.js', import.meta.url), {
    type: 'module',
    name: 'crazy-digits-retrain',
  });

/**
 * Core's `createRetrainer()` in a dedicated module Web Worker, so the page stays responsive while
 * a model trains: the worker has its own TensorFlow.js runtime, receives the base weights and the
 * corrections as plain data, and posts back progress and the candidate's weights (transferred,
 * not copied). No tensor crosses threads.
 *
 * The worker starts at the first run, or earlier when warmed (a recogniser warms its retrainer
 * at each correction, so a user's first consolidation does not wait for the worker to load
 * TensorFlow.js and its backend), and stays for later ones; one that crashes fails its runs
 * with `RetrainWorkerError` and is replaced at the next run. Errors with a crazy-digits `code`
 * (`NO_CORRECTIONS`, `BACKEND_UNAVAILABLE`…) are re-thrown on the page with the same code. A
 * request's `signal` rejects its promise with the signal's reason at once and stops the run in
 * the worker at its next training step. `dispose()` terminates the worker.
 *
 * @example
 * ```ts
 * const recognizer = await createRecognizer({
 *   retrainer: createWorkerRetrainer({ wasmPaths: 'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@4.22.0/dist/' }),
 *   modelStore: await createIndexedDBModelStore({ name: 'my-digits' }),
 * });
 * await recognizer.retrain(); // trains in the worker
 * ```
 */
export function createWorkerRetrainer(options: WorkerRetrainerOptions = {}): WorkerRetrainer {
  const { worker: source, ...rest } = options;
  if (source === undefined) return createRetrainerOn(defaultWorker, rest);
  if (typeof source === 'function') return createRetrainerOn(source, rest);
  if (typeof source === 'string' || source instanceof URL)
    return createRetrainerOn(
      () => new Worker(source, { type: 'module', name: 'crazy-digits-retrain' }),
      rest,
    );
  return createRetrainerOn(() => source, rest, false);
}

/**
 * {@link createWorkerRetrainer} on any worker-like handle (tests use message channels). Unless
 * `replaceable`, the handle is started once and a failure of it is final.
 */
export function createRetrainerOn(
  start: () => RetrainWorkerHandle,
  options: Omit<WorkerRetrainerOptions, 'worker'> = {},
  replaceable = true,
): WorkerRetrainer {
  const open = () => {
    try {
      return domPort(start());
    } catch (error) {
      throw new RetrainWorkerError(
        'could not start the retrain worker (outside a bundler that handles `new URL(…, import.meta.url)`, pass the `worker` option)',
        { cause: error },
      );
    }
  };
  return createPortRetrainer(replaceable ? open : open(), {
    setup: {
      backend: options.backend ?? 'auto',
      retrainer: options.retrainer ?? {},
      ...(options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths }),
    },
  });
}
