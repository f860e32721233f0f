import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend/index.js';
import { createMemoryCorrectionStore, InvalidCorrectionError } from '../corrections/index.js';
import { type EmbeddedModel, embeddedToArtifacts } from '../model/bundle.js';
import { withFeatures } from '../model/features.js';
import { importModel } from '../model/serialize.js';
import type { PreprocessedImage } from '../preprocess/index.js';
import { DEFAULT_MAX_SIDE, MNIST_PIXELS } from '../preprocess/validate.js';
import { createCorrectionMemory } from './correction-memory.js';
import { ModelLoadError, RecognizerDisposedError } from './errors.js';
import { toModelInput } from './input.js';
import type { Prediction, Recognizer, RecognizerInput, RecognizerOptions } from './types.js';

/** Chosen with `npm run bench -- uncertainty`: flags about half of random scribbles, ~2% of digits. */
const DEFAULT_UNCERTAIN_BELOW = 0.8;
/** Calibrated on the bundled model, see docs/learning-from-corrections.md. */
const DEFAULT_CORRECTION_THRESHOLD = 0.85;
const FEATURE_BATCH = 256;

const isIOHandler = (value: tf.io.ModelArtifacts | tf.io.IOHandler): value is tf.io.IOHandler =>
  typeof (value as { load?: unknown }).load === 'function' ||
  typeof (value as { save?: unknown }).save === 'function';

interface LoadedModel {
  model: tf.LayersModel;
  version: string;
  featureMean?: ArrayLike<number>;
}

async function loadModel(source: RecognizerOptions['model']): Promise<LoadedModel> {
  try {
    if (source === undefined) {
      // A separate module, so bundlers can split the weights off when a custom model is used.
      const { bundledModel }: { bundledModel: EmbeddedModel } = await import(
        '../model/bundled-model.generated.js'
      );
      return {
        model: await importModel(embeddedToArtifacts(bundledModel)),
        version: bundledModel.version,
        ...(bundledModel.featureMean ? { featureMean: bundledModel.featureMean } : {}),
      };
    }
    if (typeof source === 'string') return { model: await tf.loadLayersModel(source), version: source };
    if (isIOHandler(source)) return { model: await tf.loadLayersModel(source), version: 'custom' };
    return { model: await importModel(source), version: 'custom' };
  } catch (error) {
    throw new ModelLoadError('could not load the model', { cause: error });
  }
}

/** Features and probabilities of a batch of 28x28 images, as plain arrays. */
async function run(
  network: tf.LayersModel,
  images: readonly PreprocessedImage[],
): Promise<{ features: Float32Array[]; probabilities: number[][] }> {
  const batch = new Float32Array(images.length * MNIST_PIXELS);
  images.forEach((image, i) => {
    batch.set(image.pixels, i * MNIST_PIXELS);
  });
  const outputs = tf.tidy(() => {
    const result = network.predict(tf.tensor4d(batch, [images.length, 28, 28, 1]));
    return Array.isArray(result) ? result : [result];
  });
  const [featureValues, probabilityValues] = await Promise.all(outputs.map((t) => t.data()));
  tf.dispose(outputs);
  if (!featureValues || !probabilityValues) throw new Error('unreachable: the feature model has two outputs');
  const width = featureValues.length / images.length;
  return {
    features: images.map((_, i) => Float32Array.from(featureValues.subarray(i * width, (i + 1) * width))),
    probabilities: images.map((_, i) => Array.from(probabilityValues.subarray(i * 10, (i + 1) * 10))),
  };
}

const argmax = (values: number[]) => values.reduce((best, v, i) => (v > (values[best] ?? -1) ? i : best), 0);

/**
 * Loads a digit recogniser: the bundled pretrained model by default (no network), on the
 * backend `useBackend` picks. `predict` normalises any drawing the way MNIST was made before the
 * model sees it; `correct` makes a correction count from the next prediction on.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const backend = await useBackend(options.backend ?? 'auto');
  const { model, version, featureMean } = await loadModel(options.model);
  let network: tf.LayersModel;
  try {
    network = withFeatures(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const preprocessOptions = { maxSide: options.maxSide ?? DEFAULT_MAX_SIDE };
  const uncertainBelow = options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  const store = options.store ?? createMemoryCorrectionStore();
  const scope = options.userId === undefined ? {} : { userId: options.userId };
  const centre = options.featureMean ?? featureMean;
  const threshold = options.correctionThreshold ?? DEFAULT_CORRECTION_THRESHOLD;
  if (!(threshold >= 0 && threshold < 1)) {
    model.dispose();
    throw new RangeError(`[crazy-digits] correctionThreshold must be in [0, 1), got ${threshold}`);
  }
  const memory = createCorrectionMemory({
    threshold,
    // Full effect two thirds of the way from the threshold to identity (0.95 for 0.85).
    fullAt: threshold + ((1 - threshold) * 2) / 3,
    ...(centre ? { centre } : {}),
  });
  let disposed = false;

  // Corrections already stored take effect now, computed in batches.
  let pending: Array<{ id: string; label: number; image: PreprocessedImage }> = [];
  const remember = async () => {
    const { features } = await run(
      network,
      pending.map((p) => p.image),
    );
    pending.forEach((p, i) => {
      memory.add(p.id, features[i] ?? new Float32Array(0), p.label);
    });
    pending = [];
  };
  try {
    for await (const correction of store.iterate(scope)) {
      pending.push({
        id: correction.id,
        label: correction.label,
        image: { pixels: correction.image, width: 28, height: 28, info: { source: 'mnist' } },
      });
      if (pending.length === FEATURE_BATCH) await remember();
    }
    if (pending.length > 0) await remember();
  } catch (error) {
    model.dispose();
    throw error;
  }

  async function classify(inputs: readonly RecognizerInput[]): Promise<Prediction[]> {
    if (disposed) throw new RecognizerDisposedError();
    const images = inputs.map((input) => toModelInput(input, preprocessOptions));
    if (images.length === 0) return [];
    const { features, probabilities } = await run(network, images);
    return images.map((preprocessed, i) => {
      const adjusted = memory.adjust(features[i] ?? new Float32Array(0), probabilities[i] ?? []);
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

  return {
    backend,
    modelVersion: version,
    store,
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
      const { features, probabilities } = await run(network, [image]);
      const modelProbabilities = probabilities[0] ?? [];
      const predictedDigit = argmax(modelProbabilities);
      const id = await store.add({
        image: image.pixels,
        label,
        predicted: { digit: predictedDigit, confidence: modelProbabilities[predictedDigit] ?? 0 },
        modelVersion: version,
        ...scope,
        ...(details.sessionId === undefined ? {} : { sessionId: details.sessionId }),
      });
      memory.add(id, features[0] ?? new Float32Array(0), label);
      return { id };
    },
    async removeCorrection(id) {
      if (disposed) throw new RecognizerDisposedError();
      memory.remove(id);
      return store.remove(id);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      memory.clear();
      model.dispose();
    },
  };
}
