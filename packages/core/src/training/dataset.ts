import { CrazyDigitsError } from '../errors/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { Random } from './random.js';

/** Labelled MNIST-style digits: `count` images of 784 floats (0–1) back to back, and their labels. */
export interface DigitDataset {
  images: Float32Array;
  labels: Uint8Array;
}

/**
 * The label of a drawing that is no single digit (two touching digits read together): trained
 * towards equal probabilities for every digit, so the network is unsure of such ink instead of
 * confidently reading it as one of the digits it holds.
 */
export const NOT_A_DIGIT = 10;

/** Writes the training target of `label` (one-hot, or uniform for {@link NOT_A_DIGIT}) at row `row`. */
export function writeTarget(targets: Float32Array, row: number, label: number): void {
  if (label === NOT_A_DIGIT) targets.fill(0.1, row * 10, row * 10 + 10);
  else targets[row * 10 + label] = 1;
}

/** The dataset is malformed: lengths disagree, or a label is neither 0–9 nor {@link NOT_A_DIGIT}. */
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
  const bad = data.labels.findIndex((label) => label > NOT_A_DIGIT);
  if (bad >= 0) throw new InvalidDatasetError(`label ${data.labels[bad]} at index ${bad} is not 0–10`);
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
