import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend/index.js';
import { embeddedToArtifacts } from '../model/bundle.js';
import { forward } from '../model/forward.js';
import { importModel } from '../model/serialize.js';
import { DEFAULT_MAX_SIDE, MNIST_PIXELS } from '../preprocess/validate.js';
import { ModelLoadError, RecognizerDisposedError } from './errors.js';
import { toModelInput } from './input.js';
import type { Prediction, Recognizer, RecognizerInput, RecognizerOptions } from './types.js';

const DEFAULT_UNCERTAIN_BELOW = 0.6;

const isIOHandler = (value: tf.io.ModelArtifacts | tf.io.IOHandler): value is tf.io.IOHandler =>
  typeof (value as { load?: unknown }).load === 'function' ||
  typeof (value as { save?: unknown }).save === 'function';

async function loadModel(
  source: RecognizerOptions['model'],
): Promise<{ model: tf.LayersModel; version: string }> {
  try {
    if (source === undefined) {
      // A separate module, so bundlers can split the weights off when a custom model is used.
      const { bundledModel } = await import('../model/bundled-model.generated.js');
      return { model: await importModel(embeddedToArtifacts(bundledModel)), version: bundledModel.version };
    }
    if (typeof source === 'string') return { model: await tf.loadLayersModel(source), version: source };
    if (isIOHandler(source)) return { model: await tf.loadLayersModel(source), version: 'custom' };
    return { model: await importModel(source), version: 'custom' };
  } catch (error) {
    throw new ModelLoadError('could not load the model', { cause: error });
  }
}

function assertDigitClassifier(model: tf.LayersModel): void {
  const input = model.inputs[0]?.shape.slice(1).join(',');
  const output = model.outputs[0]?.shape.slice(1).join(',');
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || input !== '28,28,1' || output !== '10') {
    model.dispose();
    throw new ModelLoadError(
      `expected a model from [n, 28, 28, 1] images to [n, 10] probabilities, got [${input}] to [${output}]`,
    );
  }
}

/**
 * Loads a digit recogniser: the bundled pretrained model by default (no network), on the
 * backend `useBackend` picks. `predict` normalises any drawing the way MNIST was made before the
 * model sees it.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const backend = await useBackend(options.backend ?? 'auto');
  const { model, version } = await loadModel(options.model);
  assertDigitClassifier(model);
  const preprocessOptions = { maxSide: options.maxSide ?? DEFAULT_MAX_SIDE };
  const uncertainBelow = options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  let disposed = false;

  async function classify(inputs: readonly RecognizerInput[]): Promise<Prediction[]> {
    if (disposed) throw new RecognizerDisposedError();
    const images = inputs.map((input) => toModelInput(input, preprocessOptions));
    if (images.length === 0) return [];
    const batch = new Float32Array(images.length * MNIST_PIXELS);
    images.forEach((image, i) => {
      batch.set(image.pixels, i * MNIST_PIXELS);
    });
    const output = tf.tidy(() => forward(model, tf.tensor4d(batch, [images.length, 28, 28, 1])));
    const values = await output.data();
    output.dispose();
    return images.map((preprocessed, i) => {
      const probabilities = Array.from(values.subarray(i * 10, (i + 1) * 10));
      let digit = 0;
      for (let d = 1; d < 10; d++) if ((probabilities[d] ?? 0) > (probabilities[digit] ?? 0)) digit = d;
      const confidence = probabilities[digit] ?? 0;
      return { digit, confidence, probabilities, uncertain: confidence < uncertainBelow, preprocessed };
    });
  }

  return {
    backend,
    modelVersion: version,
    async predict(input) {
      const [prediction] = await classify([input]);
      if (!prediction) throw new Error('unreachable: one input gives one prediction');
      return prediction;
    },
    predictBatch: classify,
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
