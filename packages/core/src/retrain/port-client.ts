import type * as tf from '@tensorflow/tfjs';
import { isCrazyDigitsError } from '../errors/index.js';
import { RetrainerDisposedError, RetrainWorkerError } from './errors.js';
import {
  isServerMessage,
  packCorrections,
  postable,
  type RetrainClientMessage,
  type RetrainMessagePort,
  type RetrainWorkerSetup,
  type SentBase,
} from './port-messages.js';
import type { BaseModel, Retrainer, RetrainProgress, RetrainRequest, RetrainResult } from './types.js';
import { fromWireError } from './wire-error.js';

/** Options for {@link createPortRetrainer}. */
export interface PortRetrainerOptions {
  /**
   * How the other side sets itself up (backend, wasm files, `createRetrainer` options), posted
   * before the first run on every port. Without it the other side uses its own (`serveRetrainer`'s
   * `setup`).
   */
  setup?: RetrainWorkerSetup;
}

/** A `Retrainer` whose runs happen on the other end of a message port. */
export interface PortRetrainer extends Retrainer {
  /**
   * Opens the port and posts the setup, so the other side sets itself up before the first run;
   * with a `base` it has not sent yet, also sends it (the next run from it then sends only its
   * key), and the other side makes what a run from it needs first, between runs.
   */
  warm(base?: BaseModel): void;
  /** The other side's TensorFlow.js backend (e.g. `'wasm'`), once a run has finished there. */
  readonly backend: string | undefined;
}

interface PendingRun {
  resolve(result: RetrainResult): void;
  reject(error: unknown): void;
  onProgress?: ((progress: RetrainProgress) => void) | undefined;
}

/** One port, and what was sent over it. */
interface Link {
  port: RetrainMessagePort;
  runs: Map<number, PendingRun>;
  stopListening(): void;
  setUp: boolean;
  /** The base last sent, which the other side still holds. */
  sentBase?: { artifacts: tf.io.ModelArtifacts; key: number } | undefined;
}

/** An error from the other side: kept when it has a crazy-digits code, else wrapped as the cause. */
function rethrowable(error: Error): Error {
  return isCrazyDigitsError(error)
    ? error
    : new RetrainWorkerError(`the retrain failed in the worker: ${error.message}`, { cause: error });
}

/**
 * A `Retrainer` that posts its runs to a {@link serveRetrainer} on the other end of `port`, so
 * that training happens in another thread: pass it as `createRecognizer`'s `retrainer` option.
 * Platform adapters wrap their workers as a `RetrainMessagePort` and call this.
 *
 * `port` is a port, used as it is, or a function called whenever a port is needed: at the first
 * run, and again after the last one failed. Runs are answered one at a time, in order. The
 * corrections are packed into one buffer and moved; the base's artifacts are copied (the caller
 * keeps them) and cross once while the same object comes back; the candidate's weights come back
 * moved. Errors with a crazy-digits `code` are re-thrown with that code (core's retrain errors as
 * their own classes), others as `RetrainWorkerError` with the original as `cause`. A request's
 * `signal` rejects its promise with the signal's reason at once and stops the run there at its
 * next training step; a progress callback that throws fails its run the same way. A port that
 * closes or fails rejects its pending runs with `RetrainWorkerError`; a port given as it is stays
 * failed. `dispose()` closes the port and rejects pending runs with `RetrainerDisposedError`.
 */
export function createPortRetrainer(
  port: RetrainMessagePort | (() => RetrainMessagePort),
  options: PortRetrainerOptions = {},
): PortRetrainer {
  const open = typeof port === 'function' ? port : () => port;
  let link: Link | undefined;
  let failure: Error | undefined;
  let disposed = false;
  let backend: string | undefined;
  let nextId = 1;
  let nextKey = 1;

  function settle(current: Link, id: number): PendingRun | undefined {
    const run = current.runs.get(id);
    if (!run) return undefined;
    current.runs.delete(id);
    if (current.runs.size === 0) current.port.unref?.();
    return run;
  }

  function drop(current: Link, error: Error) {
    if (link !== current) return;
    link = undefined;
    current.stopListening();
    current.port.close?.();
    for (const id of [...current.runs.keys()]) settle(current, id)?.reject(error);
  }

  function abort(current: Link, id: number, reason: unknown) {
    const run = settle(current, id);
    if (!run) return;
    try {
      current.port.postMessage({ type: 'abort', id } satisfies RetrainClientMessage);
    } catch {
      // A port that cannot take the abort is failing: its run is settled here all the same.
    }
    run.reject(reason);
  }

  function onMessage(current: Link, message: unknown) {
    if (!isServerMessage(message)) return;
    // Runs aborted here are settled already: their late answers are dropped.
    const run = current.runs.get(message.id);
    if (!run) return;
    if (message.type === 'progress') {
      try {
        run.onProgress?.(message.progress);
      } catch (error) {
        // As in-process: a throwing progress callback fails its run.
        abort(current, message.id, error);
      }
      return;
    }
    settle(current, message.id);
    if (message.type === 'result') {
      backend = message.backend;
      run.resolve(message.result);
    } else run.reject(rethrowable(fromWireError(message.error)));
  }

  function connect(): Link {
    if (link) return link;
    if (failure) throw failure;
    let opened: RetrainMessagePort;
    try {
      opened = open();
    } catch (error) {
      throw isCrazyDigitsError(error)
        ? error
        : new RetrainWorkerError('could not start the retrain worker', { cause: error });
    }
    const current: Link = { port: opened, runs: new Map(), stopListening: () => {}, setUp: false };
    link = current;
    current.stopListening = opened.listen(
      (message) => onMessage(current, message),
      (reason, cause) => {
        const error = new RetrainWorkerError(
          `the retrain worker failed: ${reason}`,
          cause === undefined ? {} : { cause },
        );
        if (typeof port !== 'function') failure = error;
        drop(current, error);
      },
    );
    // An idle worker never keeps the process alive; a pending run does, as work here would.
    opened.unref?.();
    return current;
  }

  /** Posts the setup once a port: the other side sets itself up as soon as it has it. */
  function setUp(current: Link) {
    if (!current.setUp && options.setup) {
      current.port.postMessage({ type: 'setup', setup: options.setup } satisfies RetrainClientMessage);
    }
    current.setUp = true;
  }

  function baseFor(current: Link, { artifacts, known }: BaseModel): SentBase {
    const knownPart = known ? { known } : {};
    if (current.sentBase?.artifacts === artifacts) return { key: current.sentBase.key, ...knownPart };
    current.sentBase = { artifacts, key: nextKey++ };
    return { key: current.sentBase.key, artifacts: postable(artifacts), ...knownPart };
  }

  async function retrain(request: RetrainRequest): Promise<RetrainResult> {
    if (disposed) throw new RetrainerDisposedError();
    const { base, corrections, signal, onProgress, ...plain } = request;
    signal?.throwIfAborted();
    const current = connect();
    const id = nextId++;
    const packed = packCorrections(corrections);
    const call: RetrainClientMessage = {
      type: 'retrain',
      id,
      base: baseFor(current, base),
      corrections: packed,
      request: plain,
    };
    try {
      setUp(current);
      current.port.postMessage(call, [packed.images.buffer, packed.labels.buffer]);
    } catch (error) {
      current.sentBase = undefined;
      throw new RetrainWorkerError('could not post the retrain request to the worker', { cause: error });
    }
    const onAbort = () => abort(current, id, signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<RetrainResult>((resolve, reject) => {
        if (current.runs.size === 0) current.port.ref?.();
        current.runs.set(id, { resolve, reject, onProgress });
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    retrain,
    warm(base) {
      if (disposed) return;
      try {
        const current = connect();
        setUp(current);
        // The weights cross now rather than with the run, which then names them by their key.
        if (base && current.sentBase?.artifacts !== base.artifacts)
          current.port.postMessage({
            type: 'prepare',
            base: baseFor(current, base),
          } satisfies RetrainClientMessage);
      } catch {
        // The next run starts the worker again, sends the base again, and reports what stops it.
        if (link) link.sentBase = undefined;
      }
    },
    get backend() {
      return backend;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (link) drop(link, new RetrainerDisposedError());
    },
  };
}
