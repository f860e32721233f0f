import * as tf from '@tensorflow/tfjs';
import { loadBundledModel } from '../model/bundled-model.js';
import { ModelLoadError } from '../model/errors.js';
import { importModel } from '../model/serialize.js';
import type { Evaluation } from '../training/evaluate.js';
import type { RecognizerOptions } from './types.js';

const isIOHandler = (value: tf.io.ModelArtifacts | tf.io.IOHandler): value is tf.io.IOHandler =>
  typeof (value as { load?: unknown }).load === 'function' ||
  typeof (value as { save?: unknown }).save === 'function';

/** Loads the model a recogniser starts from: the bundled one, or the `model` option. */
export async function loadInitialModel(source: RecognizerOptions['model']): Promise<{
  model: tf.LayersModel;
  version: string;
  featureMean?: ArrayLike<number>;
  evaluation?: Evaluation;
}> {
  try {
    if (source === undefined) {
      const { manifest, artifacts } = await loadBundledModel();
      return {
        model: await importModel(artifacts),
        version: manifest.version,
        ...(manifest.featureMean ? { featureMean: manifest.featureMean } : {}),
        ...(manifest.validation ? { evaluation: manifest.validation } : {}),
      };
    }
    if (typeof source === 'string') return { model: await tf.loadLayersModel(source), version: source };
    if (isIOHandler(source)) return { model: await tf.loadLayersModel(source), version: 'custom' };
    return { model: await importModel(source), version: 'custom' };
  } catch (error) {
    throw new ModelLoadError('could not load the model', { cause: error });
  }
}
