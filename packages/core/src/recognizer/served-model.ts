import * as tf from '@tensorflow/tfjs';
import { batchTensor, inBatches } from '../model/batches.js';
import { ModelLoadError } from '../model/errors.js';
import { meanOf } from '../model/features.js';
import { type FrozenNetwork, frozenNetwork, type InferenceNetwork } from '../model/inference.js';
import { exportModel, importModel } from '../model/serialize.js';
import { nextTask } from '../next-task.js';
import { type Knowledge, knowledgeOf, withKnowledge } from '../retrain/knowledge.js';
import { bundledDigits } from '../retrain/rehearsal-set.js';
import type { BaseModel } from '../retrain/types.js';

/** The weights being served, with the network predictions run on. */
export interface ServedModel {
  /**
   * The weights for reading: their batch norm folded into the convolutions once (a sequential
   * model), giving the features corrections are matched on and the probabilities. The retrainer
   * reads digits through the same function, so a drawing has one set of features wherever it is
   * read. The layers' own weights stay behind, to export as a retrain's base (`base()`).
   */
  network: InferenceNetwork;
  version: string;
  /** Mean classifier features over typical digits: the featureMean corrections are matched around. */
  featureMean?: ArrayLike<number>;
  /**
   * Features of the bundled rehearsal digits under these weights, with their labels: the
   * known-good examples corrections must out-match (made once, on first use), and the
   * probabilities of the same pass (10 per digit), which a retrain distils from.
   */
  rehearsal(): Promise<Rehearsal>;
  /**
   * Whether the retrain that made these weights trained on a correction; absent when no retrain
   * made them (the bundled or a custom model). Sets how far a correction they misread reaches.
   */
  trainedOn?: (correction: { id: string; createdAt: number }) => boolean;
  /** These weights as the base of a retrain, with what is known of them. */
  base(): Promise<BaseModel>;
  dispose(): void;
}

/** How {@link serve} takes a model. */
export interface ServeOptions {
  version: string;
  /** Float32 artifacts of exactly these weights, when at hand; else exported on first use. */
  artifacts?: tf.io.ModelArtifacts;
  /** What a retrainer, or the bundle, already knows of these weights. */
  known?: Knowledge;
  /** Mean features to match corrections around; else from `known`, else made from the rehearsal digits. */
  featureMean?: ArrayLike<number>;
}

export interface Rehearsal {
  features: Float32Array[];
  labels: Uint8Array;
  probabilities: Float32Array;
}

/**
 * Runs `callback` once a page's main thread is idle, with its `requestIdleCallback` (read off the
 * global object: core is typed without the DOM). Returns false, and never calls `callback`, where
 * there is none (Node, Web Workers).
 */
export function whenIdle(callback: () => void): boolean {
  const requestIdle: unknown = Reflect.get(globalThis, 'requestIdleCallback');
  if (typeof requestIdle !== 'function') return false;
  Reflect.apply(requestIdle, globalThis, [callback]);
  return true;
}

/** Outputs on the bundled rehearsal digits made elsewhere (a retrain's), as rehearsal digits. */
async function givenRehearsal(given: {
  features: Float32Array;
  probabilities: Float32Array;
}): Promise<Rehearsal> {
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
async function computeRehearsal(network: InferenceNetwork, disposed: () => boolean): Promise<Rehearsal> {
  const { rehearsal } = await bundledDigits();
  const count = rehearsal.labels.length;
  const features: Float32Array[] = [];
  const probabilities = new Float32Array(count * 10);
  await inBatches(count, async (start, size) => {
    if (disposed()) throw new Error('the served model was disposed');
    const outputs = tf.tidy(() => network(batchTensor(rehearsal.images, start, size)));
    const [featureValues, probabilityValues] = await Promise.all([
      outputs.features.data(),
      outputs.probabilities.data(),
    ]);
    tf.dispose(outputs);
    const width = featureValues.length / size;
    for (let i = 0; i < size; i++)
      features.push(Float32Array.from(featureValues.subarray(i * width, (i + 1) * width)));
    probabilities.set(probabilityValues, start * 10);
  });
  return { features, labels: rehearsal.labels, probabilities };
}

/**
 * Wraps a loaded model for serving. Throws `ModelLoadError` (and disposes `model`) unless it maps
 * 28x28x1 images to 10 probabilities.
 */
export async function serve(model: tf.LayersModel, options: ServeOptions): Promise<ServedModel> {
  const { version, known = {} } = options;
  let network: FrozenNetwork;
  try {
    network = frozenNetwork(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const release = () => {
    network.dispose();
    model.dispose();
  };
  try {
    // The first pass of new weights prepares their kernels (on wasm, XNNPACK packs every filter):
    // made here, in a task of its own, so that no prediction and no batch of the correction
    // memory's rebuild pays for it on top of its own work.
    await nextTask();
    tf.tidy(() => {
      network(tf.zeros([1, 28, 28, 1]));
    });
  } catch (error) {
    release();
    throw error;
  }
  let disposed = false;
  const isDisposed = () => disposed;
  let made: Promise<Rehearsal> | undefined;
  const given = known.rehearsal?.features
    ? { features: known.rehearsal.features, probabilities: known.rehearsal.probabilities }
    : undefined;
  const rehearsalOnce = () => {
    // A retrain's own pass over the same digits, when it made one, saves making it again.
    made ??= given
      ? givenRehearsal(given).catch(() => computeRehearsal(network, isDisposed))
      : computeRehearsal(network, isDisposed);
    return made;
  };
  // The first correction needs the rehearsal digits. On a page they are made as soon as it is
  // idle after load, in short batches, so that drawing and predicting still come first and the
  // first correction does not wait for them. Elsewhere (Node, workers) they stay on demand.
  whenIdle(() => {
    if (disposed) return;
    rehearsalOnce().catch(() => {
      // Whoever needs them next tries again, and sees the error if it persists.
      made = undefined;
    });
  });
  let onRehearsal: Promise<NonNullable<Knowledge['rehearsal']>> | undefined;
  const onRehearsalOnce = () => {
    onRehearsal ??= rehearsalOnce().then(({ features, probabilities }) => ({
      featureMean: meanOf(features),
      probabilities,
    }));
    return onRehearsal;
  };
  let featureMean: ArrayLike<number>;
  try {
    featureMean =
      options.featureMean ?? known.rehearsal?.featureMean ?? (await onRehearsalOnce()).featureMean;
  } catch (error) {
    release();
    throw error;
  }
  let exported: Promise<tf.io.ModelArtifacts> | undefined =
    options.artifacts && Promise.resolve(options.artifacts);
  return {
    network,
    version,
    featureMean,
    rehearsal: rehearsalOnce,
    async base() {
      exported ??= exportModel(model);
      // Outputs on the rehearsal digits go along once they are made (the correction memory
      // makes them with the first correction); they are not made for this.
      const rehearsal = made ? await onRehearsalOnce().catch(() => undefined) : known.rehearsal;
      return withKnowledge(await exported, {
        ...(known.evaluation ? { evaluation: known.evaluation } : {}),
        ...(rehearsal ? { rehearsal } : {}),
      });
    },
    dispose() {
      disposed = true;
      release();
    },
  };
}

/** Loads stored artifacts for serving; `ModelLoadError` when they do not load. */
export async function serveArtifacts(artifacts: tf.io.ModelArtifacts, version: string): Promise<ServedModel> {
  return serve(await load(artifacts, version), { version });
}

/**
 * Serves a retrain's candidate: its float32 artifacts are the base of the next retrain as they
 * are, and what the retrainer learnt of them comes along.
 */
export async function serveCandidate(candidate: BaseModel, version: string): Promise<ServedModel> {
  return serve(await load(candidate.artifacts, version), {
    version,
    artifacts: candidate.artifacts,
    known: knowledgeOf(candidate),
  });
}

async function load(artifacts: tf.io.ModelArtifacts, version: string) {
  try {
    return await importModel(artifacts);
  } catch (error) {
    throw new ModelLoadError(`could not load model version ${version}`, { cause: error });
  }
}
