import type { CorrectionStore } from '../corrections/index.js';
import { inBatches } from '../model/batches.js';
import type { ModelVersion, StoredModel } from '../model-store/index.js';
import { nextTask } from '../next-task.js';
import type { LabelledDigit } from '../retrain/index.js';
import {
  type CorrectionMemory,
  type CorrectionStanding,
  createCorrectionMemory,
  standingOf,
} from './correction-memory.js';
import { RecognizerDisposedError } from './errors.js';
import type { Emitter } from './events.js';
import { forwardBatch } from './forward.js';
import { type ServedModel, serveArtifacts } from './served-model.js';
import type { RecognizerEvents } from './types.js';

/** A correction in effect: what the memory needs to rebuild itself for new weights. */
export type KnownCorrection = LabelledDigit & { id: string; createdAt: number };

/**
 * The version metric recording the newest `createdAt` among the corrections a retrain trained
 * on, so that after a reload the recogniser still knows which corrections its weights have seen.
 */
export const TRAINED_THROUGH = 'correctionsThrough';

/** A stored version for serving, knowing which corrections it was trained on. */
export async function servedVersion(stored: StoredModel): Promise<ServedModel> {
  const served = await serveArtifacts(stored.artifacts, stored.info.version);
  const trainedOn = trainedOnOf(stored.info);
  if (trainedOn) served.trainedOn = trainedOn;
  return served;
}

function trainedOnOf(info: ModelVersion): ServedModel['trainedOn'] {
  const through = info.metrics?.[TRAINED_THROUGH];
  return through === undefined ? undefined : (correction) => correction.createdAt <= through;
}

/** What {@link createServing} needs. */
export interface ServingOptions {
  /** The first model served. */
  served: ServedModel;
  /** The correction memory's match threshold. */
  threshold: number;
  events: Emitter<RecognizerEvents>;
  isDisposed(): boolean;
}

/**
 * What a recogniser serves: the model, the corrections in effect, and the correction memory
 * built from both. Every change of model goes through `swap`, which rebuilds the memory for
 * the new weights before anything sees them.
 */
export function createServing({ served: first, threshold, events, isDisposed }: ServingOptions) {
  const newMemory = (model: ServedModel) =>
    createCorrectionMemory({ threshold, ...(model.featureMean ? { featureMean: model.featureMean } : {}) });
  let served = first;
  let memory: CorrectionMemory = newMemory(first);
  const known = new Map<string, KnownCorrection>();

  /**
   * Remembers corrections' features under `model`, in batches (with its rehearsal digits, once), each
   * with its standing: those the weights already get right pull no other drawing (a retrain has
   * folded them in; they still vote in label agreement, keep their own drawing and bound the reach
   * of other labels' corrections); those the retrain that made the weights trained on and could
   * not fit reach only drawings closer to them than to ordinary digits of another label; the rest
   * reach a little further. Every reach into ordinary digits costs some of their
   * accuracy, so consolidated corrections do not cost it twice.
   */
  async function rememberAll(target: CorrectionMemory, model: ServedModel, corrections: KnownCorrection[]) {
    if (corrections.length > 0 && !target.hasRehearsal) {
      const { features, labels } = await model.rehearsal();
      target.setRehearsal(features, labels);
      await nextTask();
    }
    await inBatches(corrections.length, async (start, size) => {
      const chunk = corrections.slice(start, start + size);
      const { features, probabilities, similarities } = await forwardBatch(
        model.network,
        chunk.map((c) => c.image),
        target,
      );
      chunk.forEach((c, i) => {
        target.add(
          c.id,
          features[i] ?? new Float32Array(0),
          c.label,
          standingOf(probabilities[i] ?? [], c.label, model.trainedOn?.(c) ?? false),
          similarities[i],
        );
      });
    });
  }

  /**
   * Serves `next` in place of the current model. The corrections' features are recomputed under
   * the new weights first (including corrections made meanwhile), then model and memory are
   * replaced in one synchronous step, so no prediction ever sees a half-swapped state.
   */
  async function swap(next: ServedModel, cause: RecognizerEvents['model-change']['cause']) {
    const nextMemory = newMemory(next);
    try {
      let pending = [...known.values()];
      while (pending.length > 0) {
        // Loading the weights, taking in the rehearsal digits and each batch of corrections are
        // tasks of their own, so that on a page none holds the thread for long.
        await nextTask();
        await rememberAll(nextMemory, next, pending);
        pending = [...known.values()].filter((c) => !nextMemory.has(c.id));
      }
      if (isDisposed()) throw new RecognizerDisposedError();
    } catch (error) {
      next.dispose();
      nextMemory.dispose();
      throw error;
    }
    const previous = served;
    const previousMemory = memory;
    served = next;
    memory = nextMemory;
    previous.dispose();
    previousMemory.dispose();
    events.emit('model-change', { version: next.version, cause });
  }

  /** Makes `corrections` take effect: known first, so a swap meanwhile recomputes them too. */
  async function remember(corrections: KnownCorrection[]) {
    for (const correction of corrections) known.set(correction.id, correction);
    await rememberAll(memory, served, corrections);
  }

  /**
   * Makes a correction just stored take effect, with the features `model` gave it at the time:
   * reused when `model` is still served, recomputed under the new weights otherwise.
   */
  async function rememberMade(correction: KnownCorrection, model: ServedModel, made: Made) {
    known.set(correction.id, correction);
    if (!memory.hasRehearsal) {
      const target = memory;
      const { features, labels } = await model.rehearsal();
      if (memory === target && served === model) target.setRehearsal(features, labels);
    }
    if (served === model)
      memory.add(correction.id, made.features, correction.label, made.standing, made.similarities);
    else await rememberAll(memory, served, [correction]);
  }

  /** Drops a correction; true when it was in effect. */
  function forget(id: string): boolean {
    memory.remove(id);
    return known.delete(id);
  }

  return {
    get served() {
      return served;
    },
    get memory() {
      return memory;
    },
    known,
    swap,
    remember,
    rememberMade,
    forget,
    /** Loads every stored correction of `scope`; on failure the served model is disposed. */
    async load(store: CorrectionStore, scope: { userId?: string }) {
      try {
        const all: KnownCorrection[] = [];
        for await (const { id, image, label, createdAt } of store.iterate(scope)) {
          all.push({ id, image, label, createdAt });
        }
        await remember(all);
      } catch (error) {
        served.dispose();
        throw error;
      }
    },
    dispose() {
      memory.dispose();
      known.clear();
      served.dispose();
    },
  };
}

/** What a prediction pass made of a drawing that is being stored as a correction. */
interface Made {
  features: Float32Array;
  /** How the weights alone read the drawing (`standingOf`). */
  standing: CorrectionStanding;
  similarities: Parameters<CorrectionMemory['add']>[4];
}

export type Serving = ReturnType<typeof createServing>;
