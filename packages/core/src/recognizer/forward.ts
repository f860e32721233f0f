import * as tf from '@tensorflow/tfjs';
import type { InferenceNetwork } from '../model/inference.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { CorrectionMemory, Similarities, SimilarityRow } from './correction-memory.js';

/**
 * Features and probabilities of a batch of 28x28 images, as plain arrays; with a `memory`, also
 * each image's similarities to what it remembers, in the same pass on the backend.
 */
export async function forwardBatch(
  network: InferenceNetwork,
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
    const { features, probabilities } = network(tf.tensor4d(batch, [images.length, 28, 28, 1]));
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

export const argmax = (values: readonly number[]) =>
  values.reduce((best, v, i) => (v > (values[best] ?? -1) ? i : best), 0);
