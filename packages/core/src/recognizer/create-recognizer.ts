import { useBackend } from '../backend/index.js';
import { createMemoryCorrectionStore, InvalidCorrectionError } from '../corrections/index.js';
import { createMemoryModelStore, type ModelStore } from '../model-store/index.js';
import { nextTask } from '../next-task.js';
import { correctNumber, readNumber } from '../numbers/index.js';
import { type PreprocessedImage, preprocess } from '../preprocess/index.js';
import { DEFAULT_MAX_SIDE } from '../preprocess/validate.js';
import { createRetrainer } from '../retrain/index.js';
import { consolidate } from './consolidate.js';
import { standingOf } from './correction-memory.js';
import { RecognizerDisposedError } from './errors.js';
import { createEmitter } from './events.js';
import { argmax, forwardBatch } from './forward.js';
import { loadInitialModel } from './initial-model.js';
import { readInput, readInputs } from './input.js';
import { checkOptions } from './options.js';
import { createRetrainQueue } from './retrain-queue.js';
import { type ServedModel, serve, whenIdle } from './served-model.js';
import { createServing, type KnownCorrection, servedVersion } from './serving.js';
import type {
  Prediction,
  Recognizer,
  RecognizerEvents,
  RecognizerInput,
  RecognizerOptions,
} from './types.js';

/**
 * Loads a digit recogniser: the model store's current version, else the `model` option, else
 * the bundled pretrained model (no network), on the backend `useBackend` picks. `predict`
 * normalises any drawing the way MNIST was made before the model sees it; `correct` makes a
 * correction count from the next prediction on; `retrain` folds corrections into the weights.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const { threshold, uncertainBelow, policy } = checkOptions(options);
  const backend = await useBackend(
    options.backend ?? 'auto',
    options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths },
  );
  const modelStore: ModelStore = options.modelStore ?? createMemoryModelStore();
  const store = options.store ?? createMemoryCorrectionStore();
  const scope = options.userId === undefined ? {} : { userId: options.userId };
  const preprocessOptions = { maxSide: options.maxSide ?? DEFAULT_MAX_SIDE };
  const events = createEmitter<RecognizerEvents>();
  let disposed = false;
  const lifetime = new AbortController();

  /** The initial model: what `resetModel` returns to. */
  const initial = async (): Promise<ServedModel> => {
    const { model, version, featureMean, evaluation } = await loadInitialModel(options.model);
    const mean = options.featureMean ?? featureMean;
    return serve(model, {
      version,
      ...(mean ? { featureMean: mean } : {}),
      ...(evaluation ? { known: { evaluation } } : {}),
    });
  };

  /** The store's current version when there is a loadable one. */
  const fromStore = async (): Promise<ServedModel | undefined> => {
    if (options.model !== undefined || !(await modelStore.current())) return undefined;
    const stored = await modelStore.load();
    return stored ? servedVersion(stored) : undefined;
  };

  const serving = createServing({
    served: (await fromStore()) ?? (await initial()),
    threshold,
    events,
    isDisposed: () => disposed,
  });
  // Corrections already stored take effect now.
  await serving.load(store, scope);

  const retrainer = options.retrainer ?? createRetrainer();
  const queue = createRetrainQueue(
    policy,
    (call) => consolidate({ serving, retrainer, modelStore, events, lifetime: lifetime.signal }, call),
    () => disposed,
  );

  /**
   * Reads `inputs` through the model and the correction memory. `ownDigits`: they are the user's
   * single digits (predict, predictBatch), which the memory notes as how this user writes; a
   * number's candidate groupings are not.
   */
  async function classify(inputs: readonly RecognizerInput[], ownDigits = true): Promise<Prediction[]> {
    if (disposed) throw new RecognizerDisposedError();
    const pixels = await readInputs(inputs, preprocessOptions.maxSide);
    const images = pixels.map((input) => preprocess(input, preprocessOptions));
    if (images.length === 0) return [];
    if (disposed) throw new RecognizerDisposedError();
    const { served, memory } = serving;
    const { features, probabilities, similarities } = await forwardBatch(
      served.network,
      images.map((image) => image.pixels),
      memory,
    );
    return images.map((preprocessed: PreprocessedImage, i) => {
      const feature = features[i] ?? new Float32Array(0);
      const adjusted = memory.adjust(feature, probabilities[i] ?? [], similarities[i]);
      if (ownDigits) memory.noteReading(feature, adjusted);
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

  const candidates = (images: Float32Array[]) => classify(images, false);

  const correct: Recognizer['correct'] = async (input, label, details = {}) => {
    if (disposed) throw new RecognizerDisposedError();
    if (!Number.isInteger(label) || label < 0 || label > 9) {
      throw new InvalidCorrectionError(`label must be an integer 0–9, got ${String(label)}`);
    }
    const image = preprocess(await readInput(input, preprocessOptions.maxSide), preprocessOptions);
    if (disposed) throw new RecognizerDisposedError();
    const model = serving.served;
    const { features, probabilities, similarities } = await forwardBatch(
      model.network,
      [image.pixels],
      serving.memory,
    );
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
    await serving.rememberMade({ id, image: image.pixels, label, createdAt }, model, {
      features: features[0] ?? new Float32Array(0),
      // Fitted when the network alone already reads it so: another correction's reach misread it.
      standing: standingOf(modelProbabilities, label, false),
      similarities: similarities[0],
    });
    events.emit('correction', { id, label });
    queue.corrected();
    // Whoever corrects will likely consolidate: a worker starts now, not at the first run.
    retrainer.warm?.();
    warmWithServed();
    return { id };
  };

  /** The served model whose weights the retrainer was last warmed with. */
  let warmedWith: ServedModel | undefined;

  /**
   * Sends the served weights to a retrainer that takes them ahead of a run, once a served model:
   * exported when a page is idle (or in a later task), not in the correction's task.
   */
  function warmWithServed() {
    if (!retrainer.warm || warmedWith === serving.served) return;
    const model = serving.served;
    warmedWith = model;
    const send = () => {
      model
        .base()
        .then((base) => {
          if (!disposed && serving.served === model) retrainer.warm?.(base);
        })
        .catch(() => undefined);
    };
    if (!whenIdle(send)) void nextTask().then(send);
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
        if (!serving.known.has(id)) fresh.push({ id, image, label, createdAt });
      }
      for (const id of [...serving.known.keys()]) if (!stored.has(id)) forget(id);
    } else {
      for (const id of removed ?? []) forget(id);
      for (const id of added ?? []) {
        if (serving.known.has(id)) continue;
        const correction = await store.get(id);
        if (!correction || (options.userId !== undefined && correction.userId !== options.userId)) continue;
        const { image, label, createdAt } = correction;
        fresh.push({ id, image, label, createdAt });
      }
    }
    if (fresh.length === 0 || disposed) return;
    await serving.remember(fresh);
    queue.counted(fresh.length);
  }

  function forget(id: string) {
    if (serving.forget(id)) events.emit('correction-removed', { id });
  }

  async function loadVersion(version: string, cause: 'rollback' | 'reset' | 'refresh') {
    const stored = await modelStore.load(version);
    if (!stored) return undefined;
    await serving.swap(await servedVersion(stored), cause);
    return stored.info.version;
  }

  return {
    backend,
    store,
    modelStore,
    get modelVersion() {
      return serving.served.version;
    },
    get retraining() {
      return queue.running;
    },
    async predict(input) {
      const [prediction] = await classify([input]);
      if (!prediction) throw new Error('unreachable: one input gives one prediction');
      return prediction;
    },
    predictBatch: (inputs) => classify(inputs),
    correct,
    async readNumber(input, numberOptions = {}) {
      const pixels = await readInput(input, preprocessOptions.maxSide);
      return readNumber(candidates, pixels, numberOptions, preprocessOptions.maxSide);
    },
    async correctNumber(input, text, details = {}) {
      if (typeof text !== 'string' || !/^[0-9]+$/.test(text)) {
        throw new InvalidCorrectionError(
          `a number must be a string of digits 0–9, got ${JSON.stringify(text)}`,
        );
      }
      const pixels = await readInput(input, preprocessOptions.maxSide);
      const correctDigit = async (digit: Float32Array, label: number) =>
        (await correct(digit, label, details)).id;
      return correctNumber(candidates, correctDigit, pixels, text, preprocessOptions.maxSide);
    },
    async removeCorrection(id) {
      if (disposed) throw new RecognizerDisposedError();
      serving.forget(id);
      const existed = await store.remove(id);
      if (existed) events.emit('correction-removed', { id });
      return existed;
    },
    async refresh(request = {}) {
      if (disposed) throw new RecognizerDisposedError();
      await rememberStored(request.added, request.removed);
      const current = await modelStore.current();
      if (current && current.version !== serving.served.version && !disposed)
        await loadVersion(current.version, 'refresh');
    },
    retrain(call) {
      if (disposed) return Promise.reject(new RecognizerDisposedError());
      return queue.retrain(call);
    },
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
        saved = await modelStore.save((await fresh.base()).artifacts, { note: `reset to ${fresh.version}` });
      } catch (error) {
        fresh.dispose();
        throw error;
      }
      fresh.version = saved.version;
      await serving.swap(fresh, 'reset');
      return saved.version;
    },
    versions: () => modelStore.list(),
    on: (type, listener) => events.on(type, listener),
    dispose() {
      if (disposed) return;
      disposed = true;
      queue.dispose();
      lifetime.abort(new RecognizerDisposedError());
      serving.dispose();
      events.clear();
    },
  };
}
