import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { GradientPool, GradientPoolSession, GradientWorkerPort } from '@crazy-digits/core/store-kit';
// The two leaf modules, not the folder's index: this thread needs no worker runtime or backend code.
import { GradientPoolDisposedError } from '@crazy-digits/core/store-kit';
import { startWorker, workerEntryBeside } from '../threads/start-worker.js';

/** Options for {@link createWorkerThreadsGradientPool}. */
export interface WorkerThreadsGradientPoolOptions {
  /**
   * Worker threads beside the thread that trains. Default `os.availableParallelism() - 1`, at
   * least 1: every core computes gradients, the training thread included.
   */
  workers?: number;
}

interface WorkerHandle {
  port: GradientWorkerPort;
  /** Reports `error` to the coordinator as this worker's failure. */
  fail(error: unknown): void;
}

/**
 * Wraps a worker as a coordinator port. Events that arrive before the coordinator listens are
 * kept for it; an 'error' event must have a listener from the start or it would crash the process.
 */
function handleOf(worker: Worker, index: number, isClosing: () => boolean): WorkerHandle {
  const early: unknown[] = [];
  let earlyFailure: { error: unknown } | undefined;
  let onMessage: ((message: unknown) => void) | undefined;
  let onFailure: ((error: unknown) => void) | undefined;
  const fail = (error: unknown) => {
    if (onFailure) onFailure(error);
    else earlyFailure ??= { error };
  };
  const failUnlessClosing = (error: unknown) => {
    if (!isClosing()) fail(error);
  };
  worker.on('message', (message: unknown) => (onMessage ? onMessage(message) : early.push(message)));
  worker.on('messageerror', failUnlessClosing);
  worker.on('error', failUnlessClosing);
  worker.on('exit', (code) =>
    failUnlessClosing(new Error(`worker thread ${index} exited with code ${code}`)),
  );
  return {
    fail,
    port: {
      postMessage: (message) => worker.postMessage(message),
      listen(messages, failures) {
        onMessage = messages;
        onFailure = failures;
        for (const message of early.splice(0)) messages(message);
        if (earlyFailure) failures(earlyFailure.error);
      },
    },
  };
}

interface Run extends GradientPoolSession {
  /** Terminates the workers; with `reason`, first fails the run with it. */
  stop(reason?: Error): Promise<void>;
}

/**
 * A gradient pool of `worker_threads` for `trainDigitModel`'s `gradientPool` option: every step
 * is split between the training thread and the workers, each with its own TensorFlow.js runtime
 * and a replica of the model. Workers start when a training run starts and are terminated when
 * it ends (so an idle pool holds no threads and never keeps the process alive); `dispose()` also
 * stops a run in progress, which then rejects with `GradientPoolDisposedError`. A worker that
 * crashes or exits fails the run with `GradientWorkerError`.
 *
 * @example
 * ```ts
 * const pool = createWorkerThreadsGradientPool();
 * try {
 *   await trainDigitModel(model, data, { gradientPool: pool });
 * } finally {
 *   await pool.dispose();
 * }
 * ```
 */
export function createWorkerThreadsGradientPool(
  options: WorkerThreadsGradientPoolOptions = {},
): GradientPool {
  return createGradientPoolOn(workerEntryBeside(import.meta.url, 'gradient-worker'), options);
}

/** {@link createWorkerThreadsGradientPool} with another worker entry file (tests use failing ones). */
export function createGradientPoolOn(
  entry: URL,
  options: WorkerThreadsGradientPoolOptions = {},
): GradientPool {
  const size = Math.max(1, Math.floor(options.workers ?? availableParallelism() - 1));
  const runs = new Set<Run>();
  let disposed = false;

  return {
    size,
    async open() {
      if (disposed) throw new GradientPoolDisposedError();
      let closing = false;
      const workers = Array.from({ length: size }, () => startWorker(entry));
      const handles = workers.map((worker, index) => handleOf(worker, index, () => closing));
      const run: Run = {
        ports: handles.map((handle) => handle.port),
        close: () => run.stop(),
        async stop(reason) {
          if (closing) return;
          closing = true;
          runs.delete(run);
          if (reason) for (const handle of handles) handle.fail(reason);
          await Promise.all(workers.map((worker) => worker.terminate()));
        },
      };
      runs.add(run);
      return run;
    },
    async dispose() {
      disposed = true;
      await Promise.all([...runs].map((run) => run.stop(new GradientPoolDisposedError())));
    },
  };
}
