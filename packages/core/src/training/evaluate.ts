import * as tf from '@tensorflow/tfjs';
import { batchTensor, inBatches } from '../model/batches.js';
import { forward } from '../model/forward.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { type DigitDataset, datasetSize } from './dataset.js';

/** How well a model classifies a labelled set. */
export interface Evaluation {
  /** Fraction of digits classified right, 0–1. */
  accuracy: number;
  /** Per digit 0–9: fraction of that digit's examples classified right (NaN when there are none). */
  recall: number[];
  /** Number of digits evaluated. */
  count: number;
}

/** The class `model` gives each of `images` (n x 784 floats). */
export async function predictClasses(model: tf.LayersModel, images: Float32Array): Promise<Uint8Array> {
  const classes = new Uint8Array(images.length / MNIST_PIXELS);
  await inBatches(classes.length, async (start, size) => {
    const batch = tf.tidy(() => forward(model, batchTensor(images, start, size)).argMax(-1));
    classes.set(await batch.data(), start);
    batch.dispose();
  });
  return classes;
}

/** Accuracy and per-digit recall of predicted `classes` against `labels`. */
export function scoreClasses(classes: Uint8Array, labels: Uint8Array): Evaluation {
  const right = new Array<number>(10).fill(0);
  const seen = new Array<number>(10).fill(0);
  let correct = 0;
  labels.forEach((label, i) => {
    seen[label] = (seen[label] ?? 0) + 1;
    if (classes[i] === label) {
      correct++;
      right[label] = (right[label] ?? 0) + 1;
    }
  });
  return {
    accuracy: labels.length === 0 ? Number.NaN : correct / labels.length,
    recall: right.map((r, digit) => r / (seen[digit] ?? 0)),
    count: labels.length,
  };
}

/** Accuracy and per-class recall of `model` on `data`; leaves no tensors behind. */
export async function evaluateModel(model: tf.LayersModel, data: DigitDataset): Promise<Evaluation> {
  datasetSize(data); // refuses images and labels that do not match
  return scoreClasses(await predictClasses(model, data.images), data.labels);
}
