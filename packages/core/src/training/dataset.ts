import { CrazyDigitsError } from '../errors/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { Random } from './random.js';

/** Labelled MNIST-style digits: `count` images of 784 floats (0–1) back to back, and their labels. */
export interface DigitDataset {
  images: Float32Array;
  labels: Uint8Array;
}

/** The dataset is malformed: lengths disagree, or a label is not 0–9. */
export class InvalidDatasetError extends CrazyDigitsError<'INVALID_DATASET'> {
  constructor(message: string) {
    super('INVALID_DATASET', message);
  }
}

/** Number of digits in `data`, after checking it is well formed. */
export function datasetSize(data: DigitDataset): number {
  const count = data.labels.length;
  if (data.images.length !== count * MNIST_PIXELS) {
    throw new InvalidDatasetError(
      `${count} labels need ${count * MNIST_PIXELS} image values, got ${data.images.length}`,
    );
  }
  const bad = data.labels.findIndex((label) => label > 9);
  if (bad >= 0) throw new InvalidDatasetError(`label ${data.labels[bad]} at index ${bad} is not a digit 0–9`);
  return count;
}

/** A random permutation of 0 … n-1 (Fisher–Yates). */
export function shuffledIndices(count: number, random: Random): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = swap;
  }
  return order;
}

/** The digit at `index`, as a view (not a copy). */
export const digitAt = (data: DigitDataset, index: number) =>
  data.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS);
