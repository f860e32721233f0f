import * as tf from '@tensorflow/tfjs';
import { nextTask } from '../next-task.js';
import type { DigitDataset } from '../training/dataset.js';
import { type Evaluation, scoreClasses } from '../training/evaluate.js';
import type { InferenceNetwork } from './inference.js';

/**
 * Digits per forward pass. Batch size was measured not to matter on wasm (2,000 digits through
 * the folded network: batches of 100 to 1,000 all 0.80–0.85 s); 250 keeps each batch a short
 * task when the retrainer runs on a page's thread.
 */
const BATCH = 250;

/** What a model makes of a set of digits in one pass. */
export interface PassOutputs {
  /** Mean features (the input of the last layer) over the digits. */
  featureMean: Float32Array;
  /** Probabilities, 10 per digit, in order. */
  probabilities: Float32Array;
  /** Features of each digit (n × width, in order), when asked for. */
  features?: Float32Array;
}

/** The shape of one input of a network: an image, or what a network's frozen layers make of it. */
export type ItemShape = [number, number, number];

const IMAGE: ItemShape = [28, 28, 1];

/** One batch: probabilities and features, read back to plain arrays. */
async function batchOf(network: InferenceNetwork, inputs: Float32Array, size: number, shape: ItemShape) {
  const [probabilities, features] = tf.tidy(() => {
    const outputs = network(tf.tensor4d(inputs, [size, ...shape]));
    return [outputs.probabilities, outputs.features];
  });
  try {
    return { probabilities: await probabilities.data(), features: (await features.data()) as Float32Array };
  } finally {
    probabilities.dispose();
    features.dispose();
  }
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
  signal?: AbortSignal,
  keepFeatures = false,
  shape: ItemShape = IMAGE,
): Promise<PassOutputs> {
  const itemSize = shape[0] * shape[1] * shape[2];
  const count = images.length / itemSize;
  const probabilities = new Float32Array(count * 10);
  let sum = new Float32Array(0);
  let kept: Float32Array | undefined;
  for (let start = 0; start < count; start += BATCH) {
    if (start > 0) await nextTask();
    signal?.throwIfAborted();
    const size = Math.min(BATCH, count - start);
    const batch = await batchOf(
      network,
      images.subarray(start * itemSize, (start + size) * itemSize),
      size,
      shape,
    );
    probabilities.set(batch.probabilities, start * 10);
    const width = batch.features.length / size;
    if (sum.length === 0) sum = new Float32Array(width);
    for (let d = 0; d < size; d++)
      for (let i = 0; i < width; i++) sum[i] = (sum[i] ?? 0) + (batch.features[d * width + i] ?? 0);
    if (keepFeatures) {
      kept ??= new Float32Array(count * width);
      kept.set(batch.features, start * width);
    }
  }
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
  signal?: AbortSignal,
  shape: ItemShape = IMAGE,
): Promise<Evaluation> {
  const { probabilities } = await passOver(network, data.images, signal, false, shape);
  return scoreClasses(classesOf(probabilities), data.labels);
}
