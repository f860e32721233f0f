import type * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend/index.js';
import { createPreparingRetrainer, type PreparingRetrainer } from './create-retrainer.js';
import {
  isClientMessage,
  type RetrainCall,
  type RetrainMessagePort,
  type RetrainServerMessage,
  type RetrainWorkerSetup,
  type SentBase,
  unpackCorrections,
  weightBuffers,
} from './port-messages.js';
import { toWireError } from './wire-error.js';

/** Options for {@link serveRetrainer}. */
export interface RetrainServerOptions {
  /**
   * The set-up used when the client posts none of its own (a worker started with its set-up, as
   * Node's `workerData`). One the client posts takes its place.
   */
  setup?: RetrainWorkerSetup;
}

/**
 * The serving side of the retrain protocol: answers the runs a {@link createPortRetrainer} posts
 * on `port` with core's `createRetrainer`, one run at a time in the order they came, on the
 * backend of the set-up (selected with `useBackend` before the first run; a set-up that fails is
 * tried again by the next run). A base the client sends ahead of its runs (`warm(base)`) is
 * kept, and what a run from it needs first is made between runs. Progress, results and errors go
 * back on `port`, the candidate's weights moved rather than copied; an abort stops its run
 * between training steps. Returns a
 * function that stops serving and frees the retrainer; the port closing does the same.
 *
 * A platform's worker entry calls it once with its port wrapped (Node's `parentPort`, a Web
 * Worker's `self`).
 */
export function serveRetrainer(port: RetrainMessagePort, options: RetrainServerOptions = {}): () => void {
  let setup = options.setup;
  let ready: Promise<{ retrainer: PreparingRetrainer; backend: string }> | undefined;
  const runs = new Map<number, AbortController>();
  // The weights the client sent last, kept so that the same served model crosses once.
  let held: { key: number; artifacts: tf.io.ModelArtifacts } | undefined;
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  /** Aborts what is being made ahead when serving stops. */
  const lifetime = new AbortController();

  const post = (message: RetrainServerMessage, transfer: ArrayBuffer[] = []) => {
    if (!stopped) port.postMessage(message, transfer);
  };

  /** Sets up now, for a run to come: a failure is reported by that run, which tries again. */
  const getReady = () => {
    start().catch(() => undefined);
  };

  function start() {
    if (ready) return ready;
    const attempt = (async () => {
      const { backend = 'auto', wasmPaths, retrainer = {} } = setup ?? {};
      const name = await useBackend(backend, wasmPaths === undefined ? {} : { wasmPaths });
      return { retrainer: createPreparingRetrainer(retrainer), backend: name };
    })();
    ready = attempt;
    attempt.catch(() => {
      if (ready === attempt) ready = undefined;
    });
    return attempt;
  }

  async function run(call: RetrainCall, signal: AbortSignal, artifacts: tf.io.ModelArtifacts | undefined) {
    const { id } = call;
    try {
      signal.throwIfAborted();
      if (!artifacts) throw new Error('the base model was not sent to the retrain worker');
      const { retrainer, backend } = await start();
      const result = await retrainer.retrain({
        ...call.request,
        base: { artifacts, ...(call.base.known ? { known: call.base.known } : {}) },
        corrections: unpackCorrections(call.corrections),
        signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }),
      });
      // Only the weights move; what is known of them is copied (about half a megabyte).
      post({ type: 'result', id, result, backend }, weightBuffers(result.candidate.artifacts));
    } catch (error) {
      // After an abort the client has settled the run already, and drops this.
      post({ type: 'error', id, error: toWireError(error) });
    } finally {
      runs.delete(id);
    }
  }

  /** Keeps the weights a message brings; the artifacts it names, or undefined if not held. */
  function hold(sent: SentBase): tf.io.ModelArtifacts | undefined {
    if (sent.artifacts) held = { key: sent.key, artifacts: sent.artifacts };
    return held && held.key === sent.key ? held.artifacts : undefined;
  }

  /** Makes ahead what a run from `artifacts` needs first; a failure is left to that run. */
  async function prepare(artifacts: tf.io.ModelArtifacts) {
    if (stopped) return;
    const { retrainer } = await start();
    await retrainer.prepare({ artifacts }, lifetime.signal);
  }

  function onMessage(message: unknown) {
    if (!isClientMessage(message)) return;
    switch (message.type) {
      case 'setup':
        // Only before the first run sets up: the backend cannot change under a run.
        if (!ready) setup = message.setup;
        getReady();
        break;
      case 'prepare': {
        const base = hold(message.base);
        // In the runs' queue: a run that follows takes what this makes, rather than making it too.
        if (base) queue = queue.then(() => prepare(base)).catch(() => undefined);
        break;
      }
      case 'retrain': {
        const controller = new AbortController();
        runs.set(message.id, controller);
        // Resolved on arrival, in the client's order, whatever runs meanwhile.
        const base = hold(message.base);
        // A port that cannot even take an error answer is closing: later runs are still served.
        queue = queue.then(() => run(message, controller.signal, base)).catch(() => undefined);
        break;
      }
      case 'abort':
        runs.get(message.id)?.abort();
        break;
    }
  }

  let stopListening = () => {};
  function stop() {
    if (stopped) return;
    stopped = true;
    lifetime.abort();
    stopListening();
    for (const controller of runs.values()) controller.abort();
    void ready?.then(({ retrainer }) => retrainer.dispose()).catch(() => undefined);
  }
  stopListening = port.listen(onMessage, stop);
  if (stopped) stopListening();
  else if (setup) getReady();
  return stop;
}
