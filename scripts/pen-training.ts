/**
 * Real pen-drawn digits for `npm run train`: the training writers of a `digits.jsonl.gz` file
 * (test-utils `splitWriters`, so no writer of the real-writer benchmark is trained on), each
 * digit drawn several times on a canvas with random geometry (`trainingGeometry`: pen 8–30 px,
 * size 30–90%, placed anywhere, a slight tilt, either background) and normalised by `preprocess`
 * exactly as `predict` normalises a drawing.
 */
import { preprocess } from '../packages/core/src/index.js';
import type { DigitDataset } from '../packages/core/src/training/dataset.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  byWriter,
  drawPenDigit,
  loadPenDigits,
  splitWriters,
  trainingGeometry,
} from '../packages/test-utils/src/index.js';

export interface PenTrainingSet extends DigitDataset {
  writers: number;
  digits: number;
}

export function loadPenTrainingDataset(path: string, rendersPerDigit: number, seed: number): PenTrainingSet {
  const all = loadPenDigits(path);
  const writers = byWriter(all);
  const training = splitWriters(all).training;
  const digits = training.flatMap((name) => writers.get(name) ?? []);
  const count = digits.length * rendersPerDigit;
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  const random = seededRandom(seed);
  let at = 0;
  for (const digit of digits) {
    for (let r = 0; r < rendersPerDigit; r++) {
      images.set(preprocess(drawPenDigit(digit, trainingGeometry(random))).pixels, at * 784);
      labels[at] = digit.label;
      at++;
    }
  }
  return { images, labels, writers: training.length, digits: digits.length };
}

/** Two datasets as one. */
export function concatDatasets(a: DigitDataset, b: DigitDataset): DigitDataset {
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { images, labels };
}
