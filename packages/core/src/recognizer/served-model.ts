import * as tf from '@tensorflow/tfjs';
import { type EmbeddedModel, embeddedToArtifacts } from '../model/bundle.js';
import { meanOf, withFeatures } from '../model/features.js';
import { exportModel, importModel } from '../model/serialize.js';
import { nextTask } from '../next-task.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { bundledDigits } from '../retrain/rehearsal-set.js';
import type { RetrainResult } from '../retrain/types.js';
import type { Evaluation } from '../training/evaluate.js';
import { ModelLoadError } from './errors.js';
import type { RecognizerOptions } from './types.js';

/** The weights being served, with the two-output network predictions run on. */
export interface ServedModel {
  model: tf.LayersModel;
  /** Shares `model`'s weights; outputs [features, probabilities]. */
  network: tf.LayersModel;
  version: string;
  /** Mean classifier features over typical digits, for matching corrections. */
  centre?: ArrayLike<number>;
  /** Evaluation on the bundled validation digits when known in advance (the bundled model's). */
  validation?: Evaluation;
  /**
   * Features of the bundled rehearsal digits under these weights, with their labels: the
   * known-good examples corrections must out-match (computed once, on first use), and the
   * probabilities of the same pass (10 per digit), which a retrain distils from.
   */
  rehearsal(): Promise<Rehearsal>;
  /** The rehearsal digits as a retrain takes them: mean features and probabilities (made once). */
  rehearsalOutputs(): Promise<{ featureMean: Float32Array; probabilities: Float32Array }>;
  /**
   * Whether the retrain that made these weights trained on a correction; absent when no retrain
   * made them (the bundled or a custom model). Sets how far a correction they misread reaches.
   */
  trainedOn?: (correction: { id: string; createdAt: number }) => boolean;
  /** Float32 artifacts of `model` (made once, on first use: the base of a retrain). */
  artifacts(): Promise<tf.io.ModelArtifacts>;
  dispose(): void;
}

const isIOHandler = (value: tf.io.ModelArtifacts | tf.io.IOHandler): value is tf.io.IOHandler =>
  typeof (value as { load?: unknown }).load === 'function' ||
  typeof (value as { save?: unknown }).save === 'function';

/** Loads the model a recogniser starts from: the bundled one, or the `model` option. */
export async function loadInitialModel(
  source: RecognizerOptions['model'],
): Promise<{ model: tf.LayersModel; version: string; centre?: ArrayLike<number>; validation?: Evaluation }> {
  try {
    if (source === undefined) {
      // A separate module, so bundlers can split the weights off when a custom model is used.
      const { bundledModel }: { bundledModel: EmbeddedModel } = await import(
        '../model/bundled-model.generated.js'
      );
      return {
        model: await importModel(embeddedToArtifacts(bundledModel)),
        version: bundledModel.version,
        ...(bundledModel.featureMean ? { centre: bundledModel.featureMean } : {}),
        ...(bundledModel.validation ? { validation: bundledModel.validation } : {}),
      };
    }
    if (typeof source === 'string') return { model: await tf.loadLayersModel(source), version: source };
    if (isIOHandler(source)) return { model: await tf.loadLayersModel(source), version: 'custom' };
    return { model: await importModel(source), version: 'custom' };
  } catch (error) {
    throw new ModelLoadError('could not load the model', { cause: error });
  }
}

/** A model's features (n × width) and probabilities (n × 10) of the bundled rehearsal digits. */
type FlatRehearsal = NonNullable<RetrainResult['rehearsal']>;

interface Rehearsal {
  features: Float32Array[];
  labels: Uint8Array;
  probabilities: Float32Array;
}

/** Rehearsal digits per batch: each is one task on a page's main thread, which must stay responsive. */
const REHEARSAL_BATCH = 16;

/**
 * Runs `callback` once a page's main thread is idle, with its `requestIdleCallback` (read off the
 * global object: core is typed without the DOM). Returns false, and never calls `callback`, where
 * there is none (Node, Web Workers).
 */
function whenIdle(callback: () => void): boolean {
  const requestIdle: unknown = Reflect.get(globalThis, 'requestIdleCallback');
  if (typeof requestIdle !== 'function') return false;
  Reflect.apply(requestIdle, globalThis, [callback]);
  return true;
}

/** Outputs on the bundled rehearsal digits made elsewhere (a retrain's), as rehearsal digits. */
async function givenRehearsal(given: FlatRehearsal): Promise<Rehearsal> {
  const { rehearsal } = await bundledDigits();
  const count = rehearsal.labels.length;
  const width = given.features.length / count;
  if (!Number.isInteger(width) || given.probabilities.length !== count * 10) {
    throw new Error('rehearsal outputs do not match the bundled rehearsal digits');
  }
  const features = Array.from({ length: count }, (_, i) =>
    given.features.subarray(i * width, (i + 1) * width),
  );
  return { features, labels: rehearsal.labels, probabilities: given.probabilities };
}

/**
 * Features and probabilities of the bundled rehearsal digits under `network`, with their labels.
 * Stops (rejects) between batches once `disposed()` says the network's weights are gone.
 */
async function computeRehearsal(network: tf.LayersModel, disposed: () => boolean): Promise<Rehearsal> {
  const { rehearsal } = await bundledDigits();
  const count = rehearsal.labels.length;
  const features: Float32Array[] = [];
  const probabilities = new Float32Array(count * 10);
  for (let start = 0; start < count; start += REHEARSAL_BATCH) {
    // Hand the thread back between batches (on wasm `data()` resolves without yielding).
    if (start > 0) await nextTask();
    if (disposed()) throw new Error('the served model was disposed');
    const size = Math.min(REHEARSAL_BATCH, count - start);
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(rehearsal.images.subarray(start * MNIST_PIXELS, (start + size) * MNIST_PIXELS), [
        size,
        28,
        28,
        1,
      ]);
      return network.predict(x) as tf.Tensor[];
    });
    const [featureValues, probabilityValues] = await Promise.all(outputs.map((t) => t.data()));
    tf.dispose(outputs);
    if (!featureValues || !probabilityValues)
      throw new Error('unreachable: the feature model has two outputs');
    const width = featureValues.length / size;
    for (let i = 0; i < size; i++)
      features.push(Float32Array.from(featureValues.subarray(i * width, (i + 1) * width)));
    probabilities.set(probabilityValues, start * 10);
  }
  return { features, labels: rehearsal.labels, probabilities };
}

/**
 * Wraps a loaded model for serving. Throws `ModelLoadError` (and disposes `model`) unless it maps
 * 28x28x1 images to 10 probabilities. Without `centre`, computes one from the bundled rehearsal digits.
 * `artifacts`, when given, are float32 artifacts of exactly these weights, served as the base of
 * the next retrain instead of exporting the model again.
 */
export async function serve(
  model: tf.LayersModel,
  version: string,
  centre: ArrayLike<number> | undefined | 'compute',
  artifacts?: tf.io.ModelArtifacts,
  validation?: Evaluation,
  given?: FlatRehearsal,
): Promise<ServedModel> {
  let network: tf.LayersModel;
  try {
    network = withFeatures(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  let disposed = false;
  const isDisposed = () => disposed;
  let made: ReturnType<ServedModel['rehearsal']> | undefined;
  const rehearsalOnce = () => {
    // A retrain's own pass over the same digits, when it made one, saves making it again.
    made ??= given
      ? givenRehearsal(given).catch(() => computeRehearsal(network, isDisposed))
      : computeRehearsal(network, isDisposed);
    return made;
  };
  // The first correction needs the rehearsal digits. Made on demand, it waited for them: 1.1 s in the web
  // demo in Chromium, against 27 ms for later corrections (`npm run bench -- web-demo`). On a page
  // they are made as soon as it is idle after load instead, in the same short batches, so
  // drawing and predicting still come first. Elsewhere (Node, workers) they stay on demand.
  whenIdle(() => {
    if (disposed) return;
    rehearsalOnce().catch(() => {
      // Whoever needs them next tries again, and sees the error if it persists.
      made = undefined;
    });
  });
  let rehearsalOutputs: ReturnType<ServedModel['rehearsalOutputs']> | undefined;
  const rehearsalOutputsOnce = () => {
    rehearsalOutputs ??= rehearsalOnce().then(({ features, probabilities }) => ({
      featureMean: meanOf(features),
      probabilities,
    }));
    return rehearsalOutputs;
  };
  let resolvedCentre: ArrayLike<number> | undefined;
  try {
    resolvedCentre = centre === 'compute' ? (await rehearsalOutputsOnce()).featureMean : centre;
  } catch (error) {
    model.dispose();
    throw error;
  }
  let exported: Promise<tf.io.ModelArtifacts> | undefined = artifacts && Promise.resolve(artifacts);
  return {
    model,
    network,
    version,
    ...(resolvedCentre ? { centre: resolvedCentre } : {}),
    ...(validation ? { validation } : {}),
    rehearsal: rehearsalOnce,
    rehearsalOutputs: rehearsalOutputsOnce,
    artifacts() {
      exported ??= exportModel(model);
      return exported;
    },
    dispose() {
      disposed = true;
      model.dispose();
    },
  };
}

/**
 * Loads stored artifacts for serving; `ModelLoadError` when they do not load. With `asBase`, the
 * same artifacts object is the base of the next retrain: a retrainer that made these artifacts
 * recognises them and reuses its evaluation of them (only for a retrain's float32 candidate;
 * stored artifacts may be float16).
 */
export async function serveArtifacts(
  artifacts: tf.io.ModelArtifacts,
  version: string,
  centre?: ArrayLike<number>,
  asBase = false,
  validation?: Evaluation,
  rehearsal?: FlatRehearsal,
): Promise<ServedModel> {
  let model: tf.LayersModel;
  try {
    model = await importModel(artifacts);
  } catch (error) {
    throw new ModelLoadError(`could not load model version ${version}`, { cause: error });
  }
  return serve(model, version, centre ?? 'compute', asBase ? artifacts : undefined, validation, rehearsal);
}
