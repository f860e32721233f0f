import type { ModelStore } from '../model-store/index.js';
import { nextTask } from '../next-task.js';
import { NoCorrectionsError, type Retrainer } from '../retrain/index.js';
import type { Emitter } from './events.js';
import { serveCandidate } from './served-model.js';
import { type Serving, TRAINED_THROUGH } from './serving.js';
import type { RecognizerEvents, RetrainCallOptions, RetrainOutcome } from './types.js';

/** What one consolidation works with. */
export interface Consolidation {
  serving: Serving;
  retrainer: Retrainer;
  modelStore: ModelStore;
  events: Emitter<RecognizerEvents>;
  /** Aborts when the recogniser is disposed. */
  lifetime: AbortSignal;
}

/**
 * Folds the corrections in effect into the served model's weights: retrains from it, and when
 * the gate accepts the candidate, keeps both as versions and serves the candidate. Reports
 * through the recogniser's events as it goes.
 */
export async function consolidate(
  { serving, retrainer, modelStore, events, lifetime }: Consolidation,
  call: RetrainCallOptions,
): Promise<RetrainOutcome> {
  lifetime.throwIfAborted();
  const signal = call.signal ? AbortSignal.any([call.signal, lifetime]) : lifetime;
  const corrections = [...serving.known.values()];
  const mode = call.mode ?? 'incremental';
  const base = serving.served;
  // An incremental run starts from the served weights; when they were trained on every
  // correction in effect, it would only train the same corrections again, which can overfit
  // them and be rejected. Nothing is new, so nothing runs.
  if (mode === 'incremental' && corrections.length > 0 && corrections.every((c) => base.trainedOn?.(c)))
    throw new NoCorrectionsError('the served weights were trained on every correction in effect');
  events.emit('retrain-start', { mode, corrections: corrections.length });
  try {
    const baseModel = await base.base();
    // Exporting the weights and posting them are each most of a page's 50 ms: two tasks.
    await nextTask();
    const result = await retrainer.retrain({
      base: baseModel,
      corrections,
      mode,
      signal,
      onProgress: (progress) => {
        call.onProgress?.(progress);
        events.emit('retrain-progress', progress);
      },
    });
    signal.throwIfAborted();
    if (!result.accepted) {
      const outcome: RetrainOutcome = {
        accepted: false,
        ...(result.reason === undefined ? {} : { reason: result.reason }),
        version: serving.served.version,
        corrections: corrections.length,
        metrics: result.metrics,
      };
      events.emit('retrain-rejected', outcome);
      return outcome;
    }
    // The base is kept as a version first, so a rollback can always return to it.
    if ((await modelStore.current())?.version !== base.version) {
      await modelStore.save(baseModel.artifacts, {
        note: `served before the first retrain: ${base.version}`,
      });
    }
    const saved = await modelStore.save(result.candidate.artifacts, {
      parent: base.version,
      note: `${mode} retrain on ${corrections.length} corrections`,
      metrics: {
        heldOutAccuracy: result.metrics.accuracy,
        correctionsFit: result.metrics.correctionsFit,
        corrections: corrections.length,
        ...(corrections.length > 0
          ? { [TRAINED_THROUGH]: corrections.reduce((newest, c) => Math.max(newest, c.createdAt), 0) }
          : {}),
      },
    });
    // The answer's arrival and the save are one task, the load another (a page's 50 ms apiece).
    await nextTask();
    const next = await serveCandidate(result.candidate, saved.version);
    // Exactly this run's corrections; after a reload, those up to the newest of them.
    const trained = new Set(corrections.map((c) => c.id));
    next.trainedOn = (correction) => trained.has(correction.id);
    await serving.swap(next, 'retrain');
    const outcome: RetrainOutcome = {
      accepted: true,
      version: saved.version,
      corrections: corrections.length,
      metrics: result.metrics,
    };
    events.emit('retrain-finished', outcome);
    return outcome;
  } catch (error) {
    events.emit('retrain-failed', { error });
    throw error;
  }
}
