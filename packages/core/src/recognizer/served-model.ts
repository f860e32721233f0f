import * as tf from '@tensorflow/tfjs';
import { type EmbeddedModel, embeddedToArtifacts } from '../model/bundle.js';
import { featuresOf, meanOf, withFeatures } from '../model/features.js';
import { exportModel, importModel } from '../model/serialize.js';
import { bundledDigits } from '../retrain/replay-set.js';
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
  /**
   * Features of the bundled rehearsal digits under these weights, with their labels: the
   * known-good examples corrections must out-match (computed once, on first use).
   */
  anchors(): Promise<{ features: Float32Array[]; labels: Uint8Array }>;
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
): Promise<{ model: tf.LayersModel; version: string; centre?: ArrayLike<number> }> {
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
      };
    }
    if (typeof source === 'string') return { model: await tf.loadLayersModel(source), version: source };
    if (isIOHandler(source)) return { model: await tf.loadLayersModel(source), version: 'custom' };
    return { model: await importModel(source), version: 'custom' };
  } catch (error) {
    throw new ModelLoadError('could not load the model', { cause: error });
  }
}

/** Features of the bundled replay digits under `network`, with their labels. */
async function replayAnchors(
  network: tf.LayersModel,
): Promise<{ features: Float32Array[]; labels: Uint8Array }> {
  const { replay } = await bundledDigits();
  // Small batches: each is one task on a page's main thread, and the page must stay responsive.
  return { features: await featuresOf(network, replay.images, 16), labels: replay.labels };
}

/**
 * Wraps a loaded model for serving. Throws `ModelLoadError` (and disposes `model`) unless it maps
 * 28x28x1 images to 10 probabilities. Without `centre`, computes one from the bundled replay digits.
 */
export async function serve(
  model: tf.LayersModel,
  version: string,
  centre: ArrayLike<number> | undefined | 'compute',
): Promise<ServedModel> {
  let network: tf.LayersModel;
  try {
    network = withFeatures(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  let anchors: ReturnType<ServedModel['anchors']> | undefined;
  const anchorsOnce = () => {
    anchors ??= replayAnchors(network);
    return anchors;
  };
  let resolvedCentre: ArrayLike<number> | undefined;
  try {
    resolvedCentre = centre === 'compute' ? meanOf((await anchorsOnce()).features) : centre;
  } catch (error) {
    model.dispose();
    throw error;
  }
  let artifacts: Promise<tf.io.ModelArtifacts> | undefined;
  return {
    model,
    network,
    version,
    ...(resolvedCentre ? { centre: resolvedCentre } : {}),
    anchors: anchorsOnce,
    artifacts() {
      artifacts ??= exportModel(model);
      return artifacts;
    },
    dispose() {
      model.dispose();
    },
  };
}

/** Loads stored artifacts for serving; `ModelLoadError` when they do not load. */
export async function serveArtifacts(
  artifacts: tf.io.ModelArtifacts,
  version: string,
  centre?: ArrayLike<number>,
): Promise<ServedModel> {
  let model: tf.LayersModel;
  try {
    model = await importModel(artifacts);
  } catch (error) {
    throw new ModelLoadError(`could not load model version ${version}`, { cause: error });
  }
  return serve(model, version, centre ?? 'compute');
}
