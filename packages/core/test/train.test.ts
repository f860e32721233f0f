import { expectNoLeakedTensors, loadMnist } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/index.js';
import { MomentumSgd } from '../src/training/optimizer.js';
import {
  createDigitModel,
  type DigitDataset,
  evaluateModel,
  InvalidDatasetError,
  NOT_A_DIGIT,
  trainDigitModel,
} from '../src/training.js';

const train = loadMnist('train', 2048);
const test = loadMnist('test', 500);
const asData = (set: typeof train): DigitDataset => ({
  images: Float32Array.from(set.images, (v) => v / 255),
  labels: set.labels,
});

describe('trainDigitModel', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('learns MNIST on the wasm backend, reports progress, and leaves no tensors behind', async () => {
    const model = createDigitModel({ seed: 2 });
    const progress: number[] = [];
    const epochs: number[] = [];
    await expectNoLeakedTensors(() =>
      trainDigitModel(model, asData(train), {
        epochs: 2,
        batchSize: 32,
        augment: false,
        onProgress: (p) => progress.push(p.loss),
        onEpochEnd: (epoch) => {
          epochs.push(epoch);
        },
      }),
    );
    expect(epochs).toEqual([0, 1]);
    expect(progress).toHaveLength(128);
    expect(progress.at(-1)).toBeLessThan((progress[0] ?? 0) * 0.7);
    const { accuracy } = await evaluateModel(model, asData(test));
    expect(accuracy).toBeGreaterThan(0.8);
    model.dispose();
  }, 120_000);

  it('is reproducible from its seed', async () => {
    const losses = async () => {
      const model = createDigitModel({ seed: 4 });
      const seen: number[] = [];
      await trainDigitModel(model, asData(loadMnist('train', 128)), {
        epochs: 1,
        batchSize: 32,
        seed: 9,
        onProgress: (p) => seen.push(p.loss),
      });
      model.dispose();
      return seen;
    };
    expect(await losses()).toEqual(await losses());
  }, 60_000);

  it('stops between steps when aborted, with the signal reason', async () => {
    const model = createDigitModel();
    const controller = new AbortController();
    const run = trainDigitModel(model, asData(train), {
      epochs: 1,
      batchSize: 32,
      augment: false,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 3) controller.abort(new Error('stop'));
      },
    });
    await expect(run).rejects.toThrow('stop');
    model.dispose();
  });

  it('rejects a malformed dataset with INVALID_DATASET', async () => {
    const model = createDigitModel();
    await expect(
      trainDigitModel(model, { images: new Float32Array(784), labels: Uint8Array.of(1, 2) }),
    ).rejects.toBeInstanceOf(InvalidDatasetError);
    await expect(
      trainDigitModel(model, { images: new Float32Array(784), labels: Uint8Array.of(12) }),
    ).rejects.toBeInstanceOf(InvalidDatasetError);
    await expect(
      trainDigitModel(model, { images: new Float32Array(784), labels: Uint8Array.of(NOT_A_DIGIT + 1) }),
    ).rejects.toBeInstanceOf(InvalidDatasetError);
    model.dispose();
  });

  it('learns that NOT_A_DIGIT drawings are no digit: its probabilities on them flatten', async () => {
    // Two digits drawn over each other stand for the groupings readNumber must not read as one.
    const digits = asData(loadMnist('train', 1024));
    const pairs = (from: number, count: number) => {
      const images = new Float32Array(count * 784);
      for (let i = 0; i < count; i++) {
        for (let p = 0; p < 784; p++) {
          const a = digits.images[(from + 2 * i) * 784 + p] ?? 0;
          const b = digits.images[(from + 2 * i + 1) * 784 + p] ?? 0;
          images[i * 784 + p] = Math.max(a, b);
        }
      }
      return images;
    };
    const trained = pairs(0, 256);
    const unseen = pairs(512, 128);
    const withPairs: DigitDataset = {
      images: new Float32Array(digits.images.length + trained.length),
      labels: new Uint8Array(digits.labels.length + 256).fill(NOT_A_DIGIT),
    };
    withPairs.images.set(digits.images);
    withPairs.images.set(trained, digits.images.length);
    withPairs.labels.set(digits.labels);
    const surest = async (data: DigitDataset) => {
      const model = createDigitModel({ seed: 3 });
      await trainDigitModel(model, data, { epochs: 2, batchSize: 32, augment: false, seed: 5 });
      const top = tf.tidy(
        () => (model.predict(tf.tensor4d(unseen, [128, 28, 28, 1])) as tf.Tensor).max(1).mean().dataSync()[0],
      );
      const { accuracy } = await evaluateModel(model, asData(test));
      model.dispose();
      return { top: top ?? 1, accuracy };
    };
    const plain = await surest(digits);
    const taught = await surest(withPairs);
    expect(taught.top).toBeLessThan(plain.top - 0.15);
    expect(taught.top).toBeLessThan(0.5);
    expect(taught.accuracy).toBeGreaterThan(0.7);
  }, 120_000);
});

describe('momentum SGD with weight decay', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('decays kernels only (rank 2 and up), by the rate times the decay, and leaks nothing', async () => {
    const kernel = tf.variable(tf.fill([3, 3, 1, 2], 2), true, 'decay-test/kernel');
    const bias = tf.variable(tf.fill([2], 2), true, 'decay-test/bias');
    // The optimizer's state included: made in the first step, freed by dispose().
    await expectNoLeakedTensors(async () => {
      const optimizer = new MomentumSgd(0.1, 0.9, 0.01);
      const zero = { 'decay-test/kernel': tf.zerosLike(kernel), 'decay-test/bias': tf.zerosLike(bias) };
      optimizer.applyGradients(zero);
      tf.dispose(Object.values(zero));
      optimizer.dispose();
    });
    // Nesterov's first step with gradient g = 0.01 · 2 = 0.02: w -= 0.1 · (g + 0.9 · g).
    expect(kernel.dataSync()[0]).toBeCloseTo(2 - 0.1 * 0.02 * 1.9, 6);
    expect(Array.from(bias.dataSync())).toEqual([2, 2]);
    kernel.dispose();
    bias.dispose();
  });

  it('is plain momentum SGD without decay, and refuses a negative decay', () => {
    expect(() => new MomentumSgd(0.1, 0.9, -1)).toThrow(RangeError);
    const kernel = tf.variable(tf.fill([2, 2], 1), true, 'no-decay-test/kernel');
    const optimizer = new MomentumSgd(0.1);
    const zero = tf.zerosLike(kernel);
    optimizer.applyGradients({ 'no-decay-test/kernel': zero });
    expect(Array.from(kernel.dataSync())).toEqual([1, 1, 1, 1]);
    zero.dispose();
    optimizer.dispose();
    kernel.dispose();
  });
});
