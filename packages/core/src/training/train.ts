import * as tf from '@tensorflow/tfjs';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { type AugmentOptions, createAugmenter, DEFAULT_AUGMENT } from './augment.js';
import { type DigitDataset, datasetSize, digitAt, shuffledIndices, writeTarget } from './dataset.js';
import { MomentumSgd } from './optimizer.js';
import { type GradientPool, openParallelTraining, type ParallelTrainer } from './parallel/index.js';
import { seededRandom } from './random.js';
import { oneCycleLearningRate } from './schedule.js';

/** Options for {@link trainDigitModel}. */
export interface TrainOptions {
  /** Passes over the data. Default 10. */
  epochs?: number;
  /** Digits per step. Default 64. */
  batchSize?: number;
  /** Peak learning rate of the one-cycle schedule (momentum SGD, Nesterov). Default 0.05. */
  learningRate?: number;
  /**
   * L2 weight decay on the convolution and dense kernels, added to their gradients. Default 5e-4.
   */
  weightDecay?: number;
  /** Seed of the shuffles and augmentations. Default 1. */
  seed?: number;
  /** Distortions applied to every training digit, or `false` for none. Default {@link DEFAULT_AUGMENT}. */
  augment?: AugmentOptions | false;
  /** Called after every step with where training stands. */
  onProgress?: (progress: TrainProgress) => void;
  /** Called after every epoch; training waits for the returned promise (e.g. to save a checkpoint). */
  onEpochEnd?: (epoch: number, progress: TrainProgress) => void | Promise<void>;
  /** Stops training between steps; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Epochs already done (to resume from a checkpoint): the schedule and shuffles continue from there. */
  startEpoch?: number;
  /**
   * Worker threads that share every step: the batch is split into one shard for this thread and
   * one per worker, and the shards' gradients are averaged and applied here (for Node,
   * `createWorkerThreadsGradientPool` from `@crazy-digits/node-adapter`). Batch norm then uses
   * each shard's own statistics, and results are reproducible for a given seed and pool size.
   * Without a pool, every step runs on this thread.
   */
  gradientPool?: GradientPool;
}

/** Where a training run stands. */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  /** Exponential moving average of the training loss. */
  loss: number;
  /** The training loss of the last step alone: the mean cross-entropy (natural log) of its batch. */
  batchLoss: number;
  learningRate: number;
  /** Training digits per second since the run started. */
  samplesPerSecond: number;
  /** Estimated seconds to the end of the run. */
  etaSeconds: number;
}

/**
 * Trains `model` (built by `createDigitModel`) on MNIST-style digits with augmentation, momentum
 * SGD and a one-cycle learning rate. Deterministic for a given seed and backend. Leaves no tensors
 * behind other than the model's own weights and optimizer state.
 */
export async function trainDigitModel(
  model: tf.LayersModel,
  data: DigitDataset,
  options: TrainOptions = {},
): Promise<TrainProgress> {
  const count = datasetSize(data);
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const peak = options.learningRate ?? 0.05;
  const startEpoch = options.startEpoch ?? 0;
  const stepsPerEpoch = Math.floor(count / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const random = seededRandom(options.seed ?? 1);
  const augmenter =
    options.augment === false ? undefined : createAugmenter(random, options.augment ?? DEFAULT_AUGMENT);

  const optimizer = new MomentumSgd(peak, 0.9, options.weightDecay ?? 5e-4);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  try {
    return await runEpochs();
  } finally {
    optimizer.dispose(); // its momentum accumulators are tensors too
  }

  async function runEpochs(): Promise<TrainProgress> {
    const parallel = options.gradientPool
      ? await openParallelTraining(options.gradientPool, {
          model,
          optimizer,
          data,
          batchSize,
          augmenter,
          augment: options.augment === false ? false : (options.augment ?? DEFAULT_AUGMENT),
          seed: options.seed ?? 1,
        })
      : undefined;
    try {
      return await runSteps(parallel);
    } finally {
      await parallel?.close();
    }
  }

  async function runSteps(parallel: ParallelTrainer | undefined): Promise<TrainProgress> {
    const images = new Float32Array(batchSize * MNIST_PIXELS);
    const targets = new Float32Array(batchSize * 10);
    const started = performance.now();
    let progress: TrainProgress = {
      epoch: startEpoch,
      epochs,
      step: startEpoch * stepsPerEpoch,
      totalSteps,
      loss: Number.NaN,
      batchLoss: Number.NaN,
      learningRate: 0,
      samplesPerSecond: 0,
      etaSeconds: Number.NaN,
    };

    for (let epoch = 0; epoch < epochs; epoch++) {
      // Every epoch draws its shuffle, so resuming at epoch k rehearses the same random stream.
      const order = shuffledIndices(count, random);
      if (epoch < startEpoch) continue;
      for (let s = 0; s < stepsPerEpoch; s++) {
        options.signal?.throwIfAborted();
        const step = epoch * stepsPerEpoch + s;
        const learningRate = oneCycleLearningRate(step, totalSteps, peak);
        let batchLoss: number;
        if (parallel) {
          optimizer.setLearningRate(learningRate);
          batchLoss = await parallel.step(order.subarray(s * batchSize, (s + 1) * batchSize));
        } else {
          targets.fill(0);
          for (let b = 0; b < batchSize; b++) {
            const index = order[s * batchSize + b] ?? 0;
            const digit = digitAt(data, index);
            images.set(augmenter ? augmenter.augment(digit) : digit, b * MNIST_PIXELS);
            writeTarget(targets, b, data.labels[index] ?? 0);
          }
          optimizer.setLearningRate(learningRate);
          const x = tf.tensor4d(images, [batchSize, 28, 28, 1]);
          const y = tf.tensor2d(targets, [batchSize, 10]);
          const loss = await model.trainOnBatch(x, y);
          x.dispose();
          y.dispose();
          batchLoss = Array.isArray(loss) ? (loss[0] ?? Number.NaN) : loss;
        }
        const done = step + 1 - startEpoch * stepsPerEpoch;
        const seconds = (performance.now() - started) / 1000;
        progress = {
          epoch,
          epochs,
          step: step + 1,
          totalSteps,
          loss: Number.isNaN(progress.loss) ? batchLoss : 0.9 * progress.loss + 0.1 * batchLoss,
          batchLoss,
          learningRate,
          samplesPerSecond: (done * batchSize) / seconds,
          etaSeconds: (seconds / done) * (totalSteps - step - 1),
        };
        options.onProgress?.(progress);
      }
      await options.onEpochEnd?.(epoch, progress);
    }
    return progress;
  }
}
