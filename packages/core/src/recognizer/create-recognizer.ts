import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend/index.js';
import { createMemoryCorrectionStore, InvalidCorrectionError } from '../corrections/index.js';
import {
  createMemoryModelStore,
  type ModelStore,
  type ModelVersion,
  type StoredModel,
} from '../model-store/index.js';
import { nextTask } from '../next-task.js';
import type { PreprocessedImage } from '../preprocess/index.js';
import { DEFAULT_MAX_SIDE, MNIST_PIXELS } from '../preprocess/validate.js';
import { createRetrainer, type LabelledDigit } from '../retrain/index.js';
import {
  type CorrectionMemory,
  type CorrectionStanding,
  createCorrectionMemory,
  type Similarities,
  type SimilarityRow,
} from './correction-memory.js';
import { RecognizerDisposedError } from './errors.js';
import { createEmitter } from './events.js';
import { toModelInput } from './input.js';
import { checkOptions } from './options.js';
import { loadInitialModel, type ServedModel, serve, serveArtifacts } from './served-model.js';
import type {
  Prediction,
  Recognizer,
  RecognizerEvents,
  RecognizerInput,
  RecognizerOptions,
  RetrainCallOptions,
  RetrainOutcome,
} from './types.js';

const DEFAULT_DEBOUNCE_MS = 2000;
/** Corrections per feature batch when (re)building the memory: small, to keep page tasks short. */
const FEATURE_BATCH = 16;

/**
 * Features and probabilities of a batch of 28x28 images, as plain arrays; with a `memory`, also
 * each image's similarities to what it remembers, in the same pass on the backend.
 */
async function run(
  network: tf.LayersModel,
  images: readonly Float32Array[],
  memory?: CorrectionMemory,
): Promise<{ features: Float32Array[]; probabilities: number[][]; similarities: SimilarityRow[] }> {
  const batch = new Float32Array(images.length * MNIST_PIXELS);
  images.forEach((image, i) => {
    batch.set(image, i * MNIST_PIXELS);
  });
  // Which memory state the similarities belong to, set inside the tidy.
  const made: { tag?: Omit<Similarities, 'values'> } = {};
  const outputs = tf.tidy(() => {
    const result = network.predict(tf.tensor4d(batch, [images.length, 28, 28, 1]));
    const [features, probabilities] = Array.isArray(result) ? result : [result];
    if (!features || !probabilities) throw new Error('unreachable: the feature model has two outputs');
    const similarities = memory?.similarities(features as tf.Tensor2D);
    if (!similarities) return [features, probabilities];
    made.tag = { source: similarities.source, generation: similarities.generation };
    return [features, probabilities, similarities.values];
  });
  const [featureValues, probabilityValues, similarityValues] = await Promise.all(
    outputs.map((t) => t.data()),
  );
  tf.dispose(outputs);
  if (!featureValues || !probabilityValues) throw new Error('unreachable: the feature model has two outputs');
  const width = featureValues.length / images.length;
  const columns = similarityValues ? similarityValues.length / images.length : 0;
  const { tag } = made;
  return {
    features: images.map((_, i) => Float32Array.from(featureValues.subarray(i * width, (i + 1) * width))),
    probabilities: images.map((_, i) => Array.from(probabilityValues.subarray(i * 10, (i + 1) * 10))),
    similarities:
      similarityValues && tag
        ? images.map((_, i) => ({
            ...tag,
            values: Float32Array.from(similarityValues.subarray(i * columns, (i + 1) * columns)),
          }))
        : [],
  };
}

const argmax = (values: number[]) => values.reduce((best, v, i) => (v > (values[best] ?? -1) ? i : best), 0);

/** A correction in effect: what the memory needs to rebuild itself for new weights. */
type KnownCorrection = LabelledDigit & { id: string; createdAt: number };

/**
 * The version metric recording the newest `createdAt` among the corrections a retrain trained
 * on, so that after a reload the recogniser still knows which corrections its weights have seen.
 */
const TRAINED_THROUGH = 'correctionsThrough';

/** Which corrections the weights of a stored version were trained on, from its metrics. */
function trainedOnOf(info: ModelVersion): ServedModel['trainedOn'] {
  const through = info.metrics?.[TRAINED_THROUGH];
  return through === undefined ? undefined : (correction) => correction.createdAt <= through;
}

/** A stored version for serving, knowing which corrections it was trained on. */
async function servedVersion(stored: StoredModel): Promise<ServedModel> {
  const served = await serveArtifacts(stored.artifacts, stored.info.version);
  const trainedOn = trainedOnOf(stored.info);
  if (trainedOn) served.trainedOn = trainedOn;
  return served;
}

/** The standing of a correction with `model`, given whether the model gets it right. */
function standingOf(model: ServedModel, correction: KnownCorrection, fitted: boolean): CorrectionStanding {
  if (fitted) return 'fitted';
  return model.trainedOn?.(correction) ? 'unfitted' : 'new';
}

/**
 * Loads a digit recogniser: the model store's current version, else the `model` option, else
 * the bundled pretrained model (no network), on the backend `useBackend` picks. `predict`
 * normalises any drawing the way MNIST was made before the model sees it; `correct` makes a
 * correction count from the next prediction on; `retrain` folds corrections into the weights.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const { threshold, uncertainBelow, policy } = checkOptions(options);
  const backend = await useBackend(options.backend ?? 'auto');
  const modelStore: ModelStore = options.modelStore ?? createMemoryModelStore();
  const store = options.store ?? createMemoryCorrectionStore();
  const scope = options.userId === undefined ? {} : { userId: options.userId };
  const preprocessOptions = { maxSide: options.maxSide ?? DEFAULT_MAX_SIDE };
  const events = createEmitter<RecognizerEvents>();

  const newMemory = (centre: ArrayLike<number> | undefined) =>
    createCorrectionMemory({
      threshold,
      ...(centre ? { centre } : {}),
    });

  /** The initial model: what `resetModel` returns to. */
  const initial = async (): Promise<ServedModel> => {
    const { model, version, centre, validation } = await loadInitialModel(options.model);
    return serve(model, version, options.featureMean ?? centre ?? 'compute', undefined, validation);
  };

  /** The store's current version when there is a loadable one, falling back to older ones. */
  const fromStore = async (): Promise<ServedModel | undefined> => {
    if (options.model !== undefined) return undefined;
    const current = await modelStore.current();
    if (!current) return undefined;
    const stored = await modelStore.load();
    return stored ? servedVersion(stored) : undefined;
  };

  let served = (await fromStore()) ?? (await initial());
  let memory: CorrectionMemory = newMemory(served.centre);
  const known = new Map<string, KnownCorrection>();
  let disposed = false;
  const lifetime = new AbortController();

  /**
   * Remembers corrections' features under `model`, in batches (with its rehearsal digits, once), each
   * with its standing: those the weights already get right pull nothing (a retrain has folded
   * them in; they still vote in label agreement); those the retrain that made the weights trained
   * on and could not fit reach only drawings closer to them than to ordinary digits of another
   * label; the rest reach a little further. Every reach into ordinary digits costs some of their
   * accuracy, so consolidated corrections do not cost it twice.
   */
  async function rememberAll(target: CorrectionMemory, model: ServedModel, corrections: KnownCorrection[]) {
    if (corrections.length > 0 && !target.hasRehearsal) {
      const { features, labels } = await model.rehearsal();
      target.setRehearsal(features, labels);
    }
    for (let start = 0; start < corrections.length; start += FEATURE_BATCH) {
      const chunk = corrections.slice(start, start + FEATURE_BATCH);
      const { features, probabilities, similarities } = await run(
        model.network,
        chunk.map((c) => c.image),
        target,
      );
      chunk.forEach((c, i) => {
        target.add(
          c.id,
          features[i] ?? new Float32Array(0),
          c.label,
          standingOf(model, c, argmax(probabilities[i] ?? []) === c.label),
          similarities[i],
        );
      });
      // One batch per task on a page (see `featuresOf`).
      if (start + FEATURE_BATCH < corrections.length) await nextTask();
    }
  }

  // Corrections already stored take effect now.
  try {
    for await (const correction of store.iterate(scope)) {
      const { id, image, label, createdAt } = correction;
      known.set(id, { id, image, label, createdAt });
    }
    await rememberAll(memory, served, [...known.values()]);
  } catch (error) {
    served.dispose();
    throw error;
  }

  /**
   * Serves `next` in place of the current model. The corrections' features are recomputed under
   * the new weights first (including corrections made meanwhile), then model and memory are
   * replaced in one synchronous step, so no prediction ever sees a half-swapped state.
   */
  async function swap(next: ServedModel, cause: RecognizerEvents['model-change']['cause']) {
    const nextMemory = newMemory(next.centre);
    try {
      let pending = [...known.values()];
      while (pending.length > 0) {
        await rememberAll(nextMemory, next, pending);
        pending = [...known.values()].filter((c) => !nextMemory.has(c.id));
      }
      if (disposed) throw new RecognizerDisposedError();
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

  async function classify(inputs: readonly RecognizerInput[]): Promise<Prediction[]> {
    if (disposed) throw new RecognizerDisposedError();
    const images = inputs.map((input) => toModelInput(input, preprocessOptions));
    if (images.length === 0) return [];
    const { network } = served;
    const usedMemory = memory;
    const { features, probabilities, similarities } = await run(
      network,
      images.map((image) => image.pixels),
      usedMemory,
    );
    return images.map((preprocessed: PreprocessedImage, i) => {
      const adjusted = usedMemory.adjust(
        features[i] ?? new Float32Array(0),
        probabilities[i] ?? [],
        similarities[i],
      );
      const digit = argmax(adjusted);
      const confidence = adjusted[digit] ?? 0;
      return {
        digit,
        confidence,
        probabilities: adjusted,
        uncertain: confidence < uncertainBelow,
        preprocessed,
      };
    });
  }

  const retrainer = options.retrainer ?? createRetrainer();
  let queue: Promise<unknown> = Promise.resolve();
  let running = 0;
  let sinceRetrain = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function retrainNow(call: RetrainCallOptions): Promise<RetrainOutcome> {
    if (disposed) throw new RecognizerDisposedError();
    const signal = call.signal ? AbortSignal.any([call.signal, lifetime.signal]) : lifetime.signal;
    const corrections = [...known.values()];
    const mode = call.mode ?? 'incremental';
    const base = served;
    sinceRetrain = 0;
    events.emit('retrain-start', { mode, corrections: corrections.length });
    try {
      const result = await retrainer.retrain({
        base: await base.artifacts(),
        // With corrections in effect the memory holds the base's rehearsal digits already: they spare
        // the retrainer a pass over the rehearsal digits.
        ...(corrections.length > 0 ? { baseOnRehearsal: await base.rehearsalOutputs() } : {}),
        ...(base.validation ? { baseEvaluation: base.validation } : {}),
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
          version: served.version,
          corrections: corrections.length,
          metrics: result.metrics,
        };
        events.emit('retrain-rejected', outcome);
        return outcome;
      }
      // The base is kept as a version first, so a rollback can always return to it.
      if ((await modelStore.current())?.version !== base.version) {
        await modelStore.save(await base.artifacts(), {
          note: `served before the first retrain: ${base.version}`,
        });
      }
      const saved = await modelStore.save(result.artifacts, {
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
      // The candidate's own artifacts become the next base, so the retrainer can recognise them.
      const { accuracy, recall, heldOutCount } = result.metrics;
      const validation = heldOutCount === undefined ? undefined : { accuracy, recall, count: heldOutCount };
      const next = await serveArtifacts(
        result.artifacts,
        saved.version,
        result.featureMean,
        true,
        validation,
        result.rehearsal,
      );
      // Exactly this run's corrections; after a reload, those up to the newest of them.
      const trained = new Set(corrections.map((c) => c.id));
      next.trainedOn = (correction) => trained.has(correction.id);
      await swap(next, 'retrain');
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

  function retrain(call: RetrainCallOptions = {}): Promise<RetrainOutcome> {
    if (disposed) return Promise.reject(new RecognizerDisposedError());
    running++;
    const result = queue
      .then(() => retrainNow(call))
      .finally(() => {
        running--;
      });
    queue = result.catch(() => undefined).then(scheduleIfDue);
    return result;
  }

  /** The automatic policy: retrain in the background once enough corrections have settled. */
  function scheduleIfDue() {
    if (policy === 'manual' || disposed || running > 0 || sinceRetrain < policy.afterCorrections) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      // Failures are reported as 'retrain-failed' events; nobody awaits a background run.
      retrain().catch(() => undefined);
    }, policy.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** Makes corrections another process stored take effect here, and drops removed ones. */
  async function rememberStored(
    added: readonly string[] | undefined,
    removed: readonly string[] | undefined,
  ) {
    const fresh: KnownCorrection[] = [];
    if (added === undefined && removed === undefined) {
      const stored = new Set<string>();
      for await (const { id, image, label, createdAt } of store.iterate(scope)) {
        stored.add(id);
        if (!known.has(id)) fresh.push({ id, image, label, createdAt });
      }
      for (const id of known.keys()) if (!stored.has(id)) forget(id);
    } else {
      for (const id of removed ?? []) forget(id);
      for (const id of added ?? []) {
        if (known.has(id)) continue;
        const correction = await store.get(id);
        if (!correction || (options.userId !== undefined && correction.userId !== options.userId)) continue;
        const { image, label, createdAt } = correction;
        fresh.push({ id, image, label, createdAt });
      }
    }
    if (fresh.length === 0 || disposed) return;
    // Known first: a swap meanwhile recomputes every known correction under the new weights.
    for (const correction of fresh) known.set(correction.id, correction);
    await rememberAll(memory, served, fresh);
    sinceRetrain += fresh.length;
  }

  function forget(id: string) {
    if (!known.delete(id)) return;
    memory.remove(id);
    events.emit('correction-removed', { id });
  }

  async function loadVersion(version: string, cause: 'rollback' | 'reset' | 'refresh') {
    const stored = await modelStore.load(version);
    if (!stored) return undefined;
    await swap(await servedVersion(stored), cause);
    return stored.info.version;
  }

  return {
    backend,
    store,
    modelStore,
    get modelVersion() {
      return served.version;
    },
    get retraining() {
      return running > 0;
    },
    async predict(input) {
      const [prediction] = await classify([input]);
      if (!prediction) throw new Error('unreachable: one input gives one prediction');
      return prediction;
    },
    predictBatch: classify,
    async correct(input, label, details = {}) {
      if (disposed) throw new RecognizerDisposedError();
      if (!Number.isInteger(label) || label < 0 || label > 9) {
        throw new InvalidCorrectionError(`label must be an integer 0–9, got ${String(label)}`);
      }
      const image = toModelInput(input, preprocessOptions);
      const model = served;
      const { features, probabilities, similarities } = await run(model.network, [image.pixels], memory);
      const modelProbabilities = probabilities[0] ?? [];
      const predictedDigit = argmax(modelProbabilities);
      const createdAt = Date.now();
      const id = await store.add({
        image: image.pixels,
        label,
        createdAt,
        predicted: { digit: predictedDigit, confidence: modelProbabilities[predictedDigit] ?? 0 },
        modelVersion: model.version,
        ...scope,
        ...(details.sessionId === undefined ? {} : { sessionId: details.sessionId }),
      });
      known.set(id, { id, image: image.pixels, label, createdAt });
      if (!memory.hasRehearsal) {
        const target = memory;
        const { features: rehearsalFeatures, labels } = await model.rehearsal();
        if (memory === target && served === model) target.setRehearsal(rehearsalFeatures, labels);
      }
      // Features from the weights they were computed with; a swap since then recomputes them.
      if (served === model) memory.add(id, features[0] ?? new Float32Array(0), label, 'new', similarities[0]);
      else await rememberAll(memory, served, [{ id, image: image.pixels, label, createdAt }]);
      events.emit('correction', { id, label });
      sinceRetrain++;
      scheduleIfDue();
      return { id };
    },
    async removeCorrection(id) {
      if (disposed) throw new RecognizerDisposedError();
      known.delete(id);
      memory.remove(id);
      const existed = await store.remove(id);
      if (existed) events.emit('correction-removed', { id });
      return existed;
    },
    async refresh(request = {}) {
      if (disposed) throw new RecognizerDisposedError();
      await rememberStored(request.added, request.removed);
      const current = await modelStore.current();
      if (current && current.version !== served.version && !disposed)
        await loadVersion(current.version, 'refresh');
    },
    retrain,
    async rollback(version) {
      if (disposed) throw new RecognizerDisposedError();
      const target =
        version === undefined ? await modelStore.rollback() : await modelStore.setCurrent(version);
      return target ? loadVersion(target.version, 'rollback') : undefined;
    },
    async resetModel() {
      if (disposed) throw new RecognizerDisposedError();
      const fresh = await initial();
      let saved: Awaited<ReturnType<ModelStore['save']>>;
      try {
        saved = await modelStore.save(await fresh.artifacts(), { note: `reset to ${fresh.version}` });
      } catch (error) {
        fresh.dispose();
        throw error;
      }
      fresh.version = saved.version;
      await swap(fresh, 'reset');
      return saved.version;
    },
    versions: () => modelStore.list(),
    on: (type, listener) => events.on(type, listener),
    dispose() {
      if (disposed) return;
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      lifetime.abort(new RecognizerDisposedError());
      memory.dispose();
      known.clear();
      events.clear();
      served.dispose();
    },
  };
}
