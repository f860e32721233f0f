import * as tf from '@tensorflow/tfjs';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { batchTensor, inBatches } from './batches.js';
import { ModelLoadError } from './errors.js';
import type { InferenceNetwork } from './inference.js';

/**
 * The same network with two outputs: the input of its last layer (the features the classifier
 * reads, on which corrections are matched) and its probabilities. It shares the model's weights.
 * Throws `ModelLoadError` unless the model maps [n, 28, 28, 1] images to [n, 10] probabilities.
 */
export function withFeatures(model: tf.LayersModel): tf.LayersModel {
  const input = model.inputs[0]?.shape.slice(1).join(',');
  const output = model.outputs[0]?.shape.slice(1).join(',');
  const last = model.layers.at(-1)?.input;
  if (
    model.inputs.length !== 1 ||
    model.outputs.length !== 1 ||
    input !== '28,28,1' ||
    output !== '10' ||
    !last ||
    Array.isArray(last)
  ) {
    throw new ModelLoadError(
      `expected a model from [n, 28, 28, 1] images to [n, 10] probabilities, got [${input}] to [${output}]`,
    );
  }
  return tf.model({ inputs: model.inputs, outputs: [last, ...model.outputs] });
}

/**
 * `feature` minus `featureMean`, scaled to unit length (zero stays zero). Raw post-ReLU features all
 * point the same way, so every pair of digits would look alike; centred, their cosine
 * similarity tells digits apart.
 */
export function centredUnit(feature: Float32Array, featureMean: ArrayLike<number> | undefined): Float32Array {
  const centred = featureMean ? feature.map((v, i) => v - (featureMean[i] ?? 0)) : Float32Array.from(feature);
  let norm = 0;
  for (const v of centred) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return centred.map((v) => v * scale);
}

/** Features (what the last layer reads) of `images` (n x 784 floats) under `network`, one array per image. */
export async function featuresOf(network: InferenceNetwork, images: Float32Array): Promise<Float32Array[]> {
  const result: Float32Array[] = [];
  await inBatches(images.length / MNIST_PIXELS, async (start, size) => {
    const features = tf.tidy(() => network(batchTensor(images, start, size)).features);
    const values = await features.data();
    features.dispose();
    const width = values.length / size;
    for (let i = 0; i < size; i++)
      result.push(Float32Array.from(values.subarray(i * width, (i + 1) * width)));
  });
  return result;
}

/** Element-wise mean of feature vectors of one length (empty for none). */
export function meanOf(features: readonly Float32Array[]): Float32Array {
  const mean = new Float32Array(features[0]?.length ?? 0);
  for (const feature of features)
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] ?? 0) + (feature[i] ?? 0) / features.length;
  return mean;
}
