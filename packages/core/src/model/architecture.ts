import * as tf from '@tensorflow/tfjs';

/** The CNN layouts this package can build. */
export type Architecture = 'compact' | 'seed';

/** Options for {@link createDigitModel}. */
export interface DigitModelOptions {
  /** Which layout to build. Default `'compact'`, the shipped one. */
  architecture?: Architecture;
  /** Seed of the initial weights, so a training run is reproducible. Default 1. */
  seed?: number;
}

/**
 * The shipped layout: three stages of 3x3 convolutions with batch norm (28, 14 and 7 px, then
 * 4 px), strided convolutions instead of pooling, and global average pooling instead of a large
 * dense layer — few parameters and few multiply-adds per image, which is what CPU latency and
 * training time are made of. The last stage (128 filters at 4x4) costs a third more multiply-adds
 * than stopping at 7x7 with 64 and was worth about a quarter of a point of MNIST accuracy at the
 * same number of epochs (the core README, "The shipped model", has the run).
 */
function compact(seed: number): tf.LayersModel {
  const init = (offset: number) => tf.initializers.heNormal({ seed: seed + offset });
  const convBlock = (filters: number, strides: number, offset: number): tf.layers.Layer[] => [
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: init(offset),
    }),
    tf.layers.batchNormalization({ momentum: 0.9 }),
    tf.layers.reLU(),
  ];
  return tf.sequential({
    name: 'crazy_digits_compact',
    layers: [
      tf.layers.inputLayer({ inputShape: [28, 28, 1] }),
      ...convBlock(16, 1, 1),
      ...convBlock(32, 2, 2),
      ...convBlock(32, 1, 3),
      ...convBlock(64, 2, 4),
      ...convBlock(64, 1, 5),
      ...convBlock(128, 2, 7),
      ...convBlock(128, 1, 8),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 6 }),
      }),
    ],
  });
}

/**
 * The original app's network (two 3x3 convolutions of 32 and 64 filters, 2x2 max pooling,
 * dropout, a 128-unit dense layer): about 1.2M parameters and 12M multiply-adds per image.
 * Kept for comparison in benchmarks.
 */
function seedNetwork(seed: number): tf.LayersModel {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  return tf.sequential({
    name: 'seed_cnn',
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.25, seed: seed + 3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(4) }),
      tf.layers.dropout({ rate: 0.5, seed: seed + 5 }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(6) }),
    ],
  });
}

/**
 * Builds an untrained digit classifier: input `[batch, 28, 28, 1]` MNIST-style images, output
 * `[batch, 10]` class probabilities. The caller owns the model and must `dispose()` it.
 */
export function createDigitModel(options: DigitModelOptions = {}): tf.LayersModel {
  const seed = options.seed ?? 1;
  return (options.architecture ?? 'compact') === 'seed' ? seedNetwork(seed) : compact(seed);
}
