import * as tf from '@tensorflow/tfjs';
import { batchTensor, IMAGE, type ItemShape, inBatches } from '../model/batches.js';
import type { InferenceNetwork } from '../model/inference.js';
import type { DigitDataset } from '../training/dataset.js';
import { type Evaluation, scoreClasses } from '../training/evaluate.js';

/** What a model makes of a set of digits in one pass. */
export interface PassOutputs {
  /** Mean features (the input of the last layer) over the digits. */
  featureMean: Float32Array;
  /** Probabilities, 10 per digit, in order. */
  probabilities: Float32Array;
  /** Features of each digit (n × width, in order), when asked for. */
  features?: Float32Array;
}

/** How {@link passOver} reads its inputs and what it keeps. */
export interface PassOptions {
  /** Stops the pass between batches. */
  signal?: AbortSignal | undefined;
  /** Keep every digit's features (`PassOutputs.features`). */
  keepFeatures?: boolean;
  /** The inputs are items of this shape (what a network's frozen layers make), not images. */
  shape?: ItemShape;
}

/**
 * A model's probabilities for `images` (n x 784) and its mean features over them, in one pass of
 * batches, yielding the thread between batches (so predictions are served meanwhile) and stopping
 * there when `signal` aborts. With `shape`, the inputs are not images but items of that shape
 * (the output of a network's frozen layers, for the layers after them).
 */
export async function passOver(
  network: InferenceNetwork,
  images: Float32Array,
  { signal, keepFeatures = false, shape = IMAGE }: PassOptions = {},
): Promise<PassOutputs> {
  const count = images.length / (shape[0] * shape[1] * shape[2]);
  const probabilities = new Float32Array(count * 10);
  let sum = new Float32Array(0);
  let kept: Float32Array | undefined;
  await inBatches(
    count,
    async (start, size) => {
      const [probabilityTensor, featureTensor] = tf.tidy(() => {
        const outputs = network(batchTensor(images, start, size, shape));
        return [outputs.probabilities, outputs.features];
      });
      let features: Float32Array;
      try {
        probabilities.set(await probabilityTensor.data(), start * 10);
        features = (await featureTensor.data()) as Float32Array;
      } finally {
        probabilityTensor.dispose();
        featureTensor.dispose();
      }
      const width = features.length / size;
      if (sum.length === 0) sum = new Float32Array(width);
      for (let d = 0; d < size; d++)
        for (let i = 0; i < width; i++) sum[i] = (sum[i] ?? 0) + (features[d * width + i] ?? 0);
      if (keepFeatures) {
        kept ??= new Float32Array(count * width);
        kept.set(features, start * width);
      }
    },
    signal,
  );
  return {
    featureMean: sum.map((v) => v / Math.max(1, count)),
    probabilities,
    ...(kept ? { features: kept } : {}),
  };
}

/** The most probable class of each digit, from 10 probabilities per digit. */
export function classesOf(probabilities: Float32Array): Uint8Array {
  const classes = new Uint8Array(probabilities.length / 10);
  classes.forEach((_, i) => {
    let best = 0;
    for (let c = 1; c < 10; c++)
      if ((probabilities[i * 10 + c] ?? 0) > (probabilities[i * 10 + best] ?? 0)) best = c;
    classes[i] = best;
  });
  return classes;
}

/** Accuracy and per-digit recall of a model on `data`, in one pass (see {@link passOver}). */
export async function evaluate(
  network: InferenceNetwork,
  data: DigitDataset,
  options: Omit<PassOptions, 'keepFeatures'> = {},
): Promise<Evaluation> {
  const { probabilities } = await passOver(network, data.images, options);
  return scoreClasses(classesOf(probabilities), data.labels);
}
