import * as tf from '@tensorflow/tfjs';
import { type EmbeddedModel, embeddedToArtifacts } from '../model/bundle.js';
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
      // A separate module, so bundlers can split the weights off when a custom model is used.
      const { bundledModel }: { bundledModel: EmbeddedModel } = await import(
        '../model/bundled-model.generated.js'
      );
      return {
        model: await importModel(embeddedToArtifacts(bundledModel)),
        version: bundledModel.version,
        ...(bundledModel.featureMean ? { featureMean: bundledModel.featureMean } : {}),
        ...(bundledModel.validation ? { evaluation: bundledModel.validation } : {}),
      };
    }
    if (typeof source === 'string') return { model: await tf.loadLayersModel(source), version: source };
    if (isIOHandler(source)) return { model: await tf.loadLayersModel(source), version: 'custom' };
    return { model: await importModel(source), version: 'custom' };
  } catch (error) {
    throw new ModelLoadError('could not load the model', { cause: error });
  }
}
