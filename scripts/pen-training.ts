/**
 * Real pen-drawn digits for `npm run train`: the training writers of a `digits.jsonl.gz` file
 * (test-utils `splitWriters`, so no writer of the real-writer benchmark is trained on), each
 * digit drawn several times on a canvas with random geometry (`trainingGeometry`: pen 8–30 px,
 * size 30–90%, placed anywhere, a slight tilt, either background) and normalised by `preprocess`
 * exactly as `predict` normalises a drawing.
 */

import type { Worker } from 'node:worker_threads';
import { draw, type NumberCase, numberCases } from '../bench/numbers.js';
import { inkedPixels, inkHeld, inkOf } from '../bench/numbers-ceiling.js';
import { preprocess } from '../packages/core/src/index.js';
import { candidatesOf, SCORING } from '../packages/core/src/numbers/candidates.js';
import { atomsOf, CUT_MIN_WIDTH_FORCED, segment } from '../packages/core/src/numbers/segment.js';
import { type DigitDataset, NOT_A_DIGIT } from '../packages/core/src/training/dataset.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import { startWorker, workerEntryBeside } from '../packages/node-adapter/src/threads/start-worker.js';
import {
  byWriter,
  drawPenDigit,
  loadPenDigits,
  type NumberSpacing,
  type PenDigit,
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

/** Composed numbers per spacing (separate, touching, overlapping) the candidate set is cut from. */
const NUMBERS_PER_SPACING = 600;
const SPACINGS: readonly NumberSpacing[] = ['separate', 'touching', 'overlapping'];

/** A share of the candidate set: images (784 floats each) and their labels. */
export interface CandidatePart {
  images: Float32Array;
  labels: Uint8Array;
}

/**
 * What `readNumber` weighs, from the training writers' numbers: each of
 * {@link NUMBERS_PER_SPACING} numbers per spacing (2–6 digits of one writer, `drawPenNumber`)
 * is read the way `readNumber` reads it — its shapes whole, then cut at every candidate cut — and
 * every candidate grouping that holds half or more of the ink of two digits or more is labelled
 * {@link NOT_A_DIGIT}; one that is one digit by `inkHeld` (the rule of the benchmark's "right
 * split among the candidates") is labelled that digit. Without them the network reads two touching digits,
 * normalised together, as one confident digit as often as it reads them apart, and no cost on
 * geometry alone tells the two readings apart (docs/benchmarks.md, "Reading numbers: the network
 * learns what is not one digit").
 *
 * Drawing and cutting the 1,800 numbers takes 2.5–3 minutes on one thread, so the numbers
 * are shared out in contiguous runs between this thread and `workers` worker threads
 * (scripts/pen-candidates-worker.ts) and the parts joined in order: the same set, in the same
 * order, however many threads cut it.
 */
export async function loadPenNumberCandidates(
  path: string,
  seed: number,
  workers: number,
): Promise<DigitDataset & { merged: number }> {
  const parts = workers + 1;
  const entry = workerEntryBeside(import.meta.url, 'pen-candidates-worker');
  const others = Array.from({ length: workers }, (_, w) =>
    runWorker(startWorker(entry, { workerData: { path, seed, part: w + 1, parts } })),
  );
  const all = [penNumberCandidates(path, seed, 0, parts), ...(await Promise.all(others))];
  const { images, labels } = all.reduce<DigitDataset>((joined, part) => concatDatasets(joined, part), {
    images: new Float32Array(0),
    labels: new Uint8Array(0),
  });
  return { images, labels, merged: labels.filter((label) => label === NOT_A_DIGIT).length };
}

/** The part a worker posts back, or its error. */
function runWorker(worker: Worker): Promise<CandidatePart> {
  return new Promise((resolve, reject) => {
    worker.once('message', (part: CandidatePart) => {
      resolve(part);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`candidate worker exited with code ${code}`)));
  });
}

/**
 * Part `part` of `parts` of the candidate set (see {@link loadPenNumberCandidates}): of the
 * spacings' `total` numbers in order, those from `ceil(part * total / parts)` up to the next
 * part's first.
 */
export function penNumberCandidates(path: string, seed: number, part: number, parts: number): CandidatePart {
  const all = loadPenDigits(path);
  const writers = byWriter(all);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  const numbers = numberCases(writers, splitWriters(all).training, NUMBERS_PER_SPACING, seed);
  const total = SPACINGS.length * numbers.length;
  for (let i = Math.ceil((part * total) / parts); i < Math.ceil(((part + 1) * total) / parts); i++) {
    const spacing = SPACINGS[Math.floor(i / numbers.length)] as NumberSpacing;
    cutNumber(numbers[i % numbers.length] as NumberCase, spacing, images, labels);
  }
  const flat = new Float32Array(images.length * 784);
  images.forEach((image, i) => {
    flat.set(image, i * 784);
  });
  return { images: flat, labels: Uint8Array.from(labels) };
}

/** Adds the labelled candidate groupings of one number, drawn with `spacing`, to `images` and `labels`. */
function cutNumber(
  number: NumberCase,
  spacing: NumberSpacing,
  images: Float32Array[],
  labels: number[],
): void {
  const { digits } = number;
  const map = inkOf(draw(number, spacing).image);
  const segmentation = segment(map);
  if (!segmentation) return;
  // Each digit's own ink, drawn alone where the number puts it.
  const owners = digits.map((_, layer) => inkOf(draw(number, spacing, undefined, layer).image).ink);
  const totals = owners.map(inkedPixels);
  const seen = new Set<string>();
  for (const cut of [new Set<number>(), new Set(segmentation.shapes.keys())]) {
    const atoms = atomsOf(segmentation, cut, CUT_MIN_WIDTH_FORCED);
    for (const candidate of candidatesOf(map, atoms, segmentation.lineHeight, SCORING)) {
      if (seen.has(candidate.key)) continue;
      seen.add(candidate.key);
      const { held, digit: whole } = inkHeld(map, atoms, candidate, owners, totals);
      const label =
        whole >= 0
          ? (digits[whole] as PenDigit).label
          : held.filter((h) => h >= 0.5).length >= 2
            ? NOT_A_DIGIT
            : -1;
      if (label < 0) continue;
      images.push(candidate.image.pixels);
      labels.push(label);
    }
  }
}
