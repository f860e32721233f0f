import * as tf from '@tensorflow/tfjs';
import { unprefixed } from '../../errors/crazy-digits-error.js';
import { isCrazyDigitsError } from '../../errors/index.js';
import { exportModel } from '../../model/index.js';
import { MNIST_PIXELS } from '../../preprocess/validate.js';
import type { AugmentOptions, DigitAugmenter } from '../augment.js';
import { type DigitDataset, digitAt, writeTarget } from '../dataset.js';
import { GradientWorkerError } from './errors.js';
import { type FlatLayout, flatLayout, flatSlice, readWeightsInto } from './flat-weights.js';
import {
  type CoordinatorMessage,
  type GradientPool,
  type GradientWorkerPort,
  isWorkerMessage,
  type WorkerMessage,
} from './protocol.js';
import { shardGradients, trainableVariables } from './shard-gradients.js';

/** What {@link openParallelTraining} needs from the training loop. */
export interface ParallelTrainingSetup {
  model: tf.LayersModel;
  /** Applies the averaged gradients; its learning rate is the loop's to set. */
  optimizer: tf.Optimizer;
  data: DigitDataset;
  batchSize: number;
  /** Augments this thread's shard, or `undefined` for none. */
  augmenter: DigitAugmenter | undefined;
  /** What the workers' augmenters do, or `false`. */
  augment: AugmentOptions | false;
  seed: number;
}

/** A training run spread over this thread and a pool's workers. */
export interface ParallelTrainer {
  /** Trains on the digits at `indices` (one batch) and returns the batch's mean loss. */
  step(indices: Uint32Array): Promise<number>;
  /** Ends the run and releases the workers. */
  close(): Promise<void>;
}

/**
 * Splits `total` digits into `parts` shards, this thread's first. Workers take the remainder:
 * this thread also averages, applies and publishes, so it gets the smaller share.
 */
export function shardSizes(total: number, parts: number): number[] {
  const used = Math.max(1, Math.min(parts, total));
  const base = Math.floor(total / used);
  const extra = total % used;
  return Array.from({ length: parts }, (_, i) => (i >= used ? 0 : base + (i > 0 && i <= extra ? 1 : 0)));
}

interface WorkerLink {
  readonly failure: Error | undefined;
  exchange(message: CoordinatorMessage): Promise<WorkerMessage>;
}

/** Pairs each request with the worker's next reply, and turns any failure into a typed error. */
function connect(index: number, port: GradientWorkerPort): WorkerLink {
  let failure: Error | undefined;
  let pending: { resolve: (message: WorkerMessage) => void; reject: (error: Error) => void } | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    pending?.reject(failure);
    pending = undefined;
  };
  port.listen(
    (message) => {
      if (!isWorkerMessage(message)) {
        fail(new GradientWorkerError(index, 'it sent a message outside the protocol'));
      } else if (message.type === 'failed') {
        const cause = new Error(message.message);
        if (message.stack !== undefined) cause.stack = message.stack;
        fail(new GradientWorkerError(index, unprefixed(message.message), { cause }));
      } else {
        pending?.resolve(message);
        pending = undefined;
      }
    },
    (error) => {
      const reason = error instanceof Error ? error.message : String(error);
      fail(isCrazyDigitsError(error) ? error : new GradientWorkerError(index, reason, { cause: error }));
    },
  );
  return {
    get failure() {
      return failure;
    },
    exchange(message) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        port.postMessage(message);
      });
    },
  };
}

async function expectReply(
  link: WorkerLink,
  index: number,
  message: CoordinatorMessage,
  type: WorkerMessage['type'],
) {
  const reply = await link.exchange(message);
  if (reply.type !== type)
    throw new GradientWorkerError(index, `it answered "${reply.type}" where "${type}" was due`);
  return reply;
}

/** One worker as the coordinator sees it: its link and its shared buffers. */
interface Worker {
  index: number;
  link: WorkerLink;
  gradients: Float32Array<SharedArrayBuffer>;
  images: Float32Array<SharedArrayBuffer>;
  labels: Uint8Array<SharedArrayBuffer>;
}

const sharedFloats = (length: number) =>
  new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));

/**
 * Starts a run on `pool`: the workers get a replica of `model` and shared buffers for the flat
 * weights, their gradients and their shard. Each step then runs this thread's shard while the
 * workers run theirs, averages the gradients weighted by shard size, applies them once with
 * `optimizer` and publishes the new weights for the next step.
 */
export async function openParallelTraining(
  pool: GradientPool,
  setup: ParallelTrainingSetup,
): Promise<ParallelTrainer> {
  const { model, optimizer, data, batchSize, augmenter } = setup;
  const variables = trainableVariables(model);
  const layout: FlatLayout = flatLayout(model.trainableWeights);
  const weights = sharedFloats(layout.length);
  readWeightsInto(model.trainableWeights, layout, weights);
  const session = await pool.open();
  const maxShard = Math.max(...shardSizes(batchSize, session.ports.length + 1));
  const workers: Worker[] = session.ports.map((port, index) => ({
    index,
    link: connect(index, port),
    gradients: sharedFloats(layout.length),
    images: sharedFloats(maxShard * MNIST_PIXELS),
    labels: new Uint8Array(new SharedArrayBuffer(maxShard)),
  }));
  const images = new Float32Array(maxShard * MNIST_PIXELS);
  const targets = new Float32Array(maxShard * 10);

  try {
    const artifacts = await exportModel(model);
    const backend = tf.getBackend();
    await Promise.all(
      workers.map((worker) =>
        expectReply(
          worker.link,
          worker.index,
          {
            type: 'setup',
            setup: {
              backend,
              artifacts,
              shapes: layout.shapes,
              augment: setup.augment,
              // A stream per worker, reproducible for a given seed and pool size.
              seed: (setup.seed * 7919 + worker.index + 1) >>> 0,
              maxShard,
              weights: weights.buffer,
              gradients: worker.gradients.buffer,
              images: worker.images.buffer,
              labels: worker.labels.buffer,
            },
          },
          'ready',
        ),
      ),
    );
  } catch (error) {
    await session.close();
    throw error;
  }

  async function step(indices: Uint32Array): Promise<number> {
    for (const { link } of workers) if (link.failure) throw link.failure;
    const [ownCount = 0, ...counts] = shardSizes(indices.length, workers.length + 1);
    const busy: { worker: Worker; count: number }[] = [];
    let offset = ownCount;
    for (const worker of workers) {
      const count = counts[worker.index] ?? 0;
      if (count === 0) continue;
      for (let b = 0; b < count; b++) {
        const digit = indices[offset + b] ?? 0;
        worker.images.set(digitAt(data, digit), b * MNIST_PIXELS);
        worker.labels[b] = data.labels[digit] ?? 0;
      }
      offset += count;
      busy.push({ worker, count });
    }
    const answers = Promise.all(
      busy.map(({ worker, count }) =>
        expectReply(worker.link, worker.index, { type: 'step', count }, 'gradients'),
      ),
    );
    // Rethrown where it is awaited; this only keeps it from counting as unhandled if this
    // thread's shard throws first.
    answers.catch(() => undefined);

    targets.fill(0);
    for (let b = 0; b < ownCount; b++) {
      const digit = indices[b] ?? 0;
      const pixels = digitAt(data, digit);
      images.set(augmenter ? augmenter.augment(pixels) : pixels, b * MNIST_PIXELS);
      writeTarget(targets, b, data.labels[digit] ?? 0);
    }
    const own = shardGradients(model, images, targets, ownCount);
    try {
      const replies = await answers;
      tf.tidy(() => {
        const averaged: tf.NamedTensorMap = {};
        variables.forEach((variable, i) => {
          let sum = tf.mul(own.gradients[i] ?? tf.zerosLike(variable), ownCount / indices.length);
          for (const { worker, count } of busy) {
            const theirs = tf.tensor(flatSlice(worker.gradients, layout, i), layout.shapes[i]);
            sum = tf.add(sum, tf.mul(theirs, count / indices.length));
          }
          averaged[variable.name] = sum;
        });
        optimizer.applyGradients(averaged);
      });
      readWeightsInto(model.trainableWeights, layout, weights);
      let lossSum = own.loss * ownCount;
      replies.forEach((reply, i) => {
        if (reply.type === 'gradients') lossSum += reply.loss * (busy[i]?.count ?? 0);
      });
      return lossSum / indices.length;
    } finally {
      for (const gradient of own.gradients) gradient.dispose();
    }
  }

  return { step, close: () => session.close() };
}
