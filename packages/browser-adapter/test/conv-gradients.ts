import * as tf from '@tensorflow/tfjs';

/** A small conv net's weights, inputs and labels as plain data, so they can cross into a page. */
export interface GradientCase {
  /** [batch, 12, 12, 1] images. */
  images: number[];
  /** One class 0–2 per image. */
  labels: number[];
  batch: number;
  /** Every weight tensor by name: conv filters, dense matrix and biases. */
  weights: Record<string, { values: number[]; shape: number[] }>;
}

/** What {@link convGradients} returns: the loss, and the gradient of each weight and of the images. */
export interface GradientRun {
  loss: number;
  gradients: Record<string, number[]>;
  /** Tensors alive after the run minus before (0 when nothing leaks). */
  leakedTensors: number;
}

const SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 1, 4],
  conv2: [3, 3, 4, 6],
  bias2: [6],
  conv3: [2, 2, 6, 6],
  dense: [24, 3],
  bias3: [3],
};

function required(tensor: tf.Tensor | undefined): tf.Tensor {
  if (!tensor) throw new Error('a gradient input is missing');
  return tensor;
}

/** Whether the current backend has a kernel named `name`. */
export function kernelRegistered(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** A fixed case from `seed` (a linear congruential generator: the same numbers everywhere). */
export function gradientCase(seed: number, batch = 4): GradientCase {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const uniform = (count: number, scale: number) =>
    Array.from({ length: count }, () => (next() * 2 - 1) * scale);
  const weights: GradientCase['weights'] = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? count / (shape.at(-1) ?? 1) : 1;
    weights[name] = { values: uniform(count, 1 / Math.sqrt(fanIn)), shape };
  }
  return {
    images: Array.from({ length: batch * 144 }, () => next()),
    labels: Array.from({ length: batch }, (_, i) => i % 3),
    batch,
    weights,
  };
}

/**
 * The gradients of a softmax cross-entropy loss with respect to every weight and to the images,
 * through conv (same padding; stride 2; valid padding), relu, max pool and dense layers: the
 * backward kernels training needs (`Conv2DBackpropFilter`, `Conv2DBackpropInput`,
 * `MaxPoolGrad`, `BatchMatMul` with transposes), on the current backend.
 */
export function convGradients(example: GradientCase): GradientRun {
  const before = tf.memory().numTensors;
  const names = Object.keys(SHAPES);
  const result = tf.tidy(() => {
    const images = tf.tensor4d(example.images, [example.batch, 12, 12, 1]);
    const targets = tf.oneHot(tf.tensor1d(example.labels, 'int32'), 3);
    const weights = names.map((name) => {
      const weight = example.weights[name];
      if (!weight) throw new Error(`no weight ${name}`);
      return tf.tensor(weight.values, weight.shape);
    });
    // Reshaping to its own shape types a tensor's rank without a cast (and passes gradients on).
    const rank4 = (t: tf.Tensor | undefined) => {
      const [a = 1, b = 1, c = 1, d = 1] = required(t).shape;
      return tf.reshape<tf.Rank.R4>(required(t), [a, b, c, d]);
    };
    const rank2 = (t: tf.Tensor | undefined) => {
      const [rows = 1, columns = 1] = required(t).shape;
      return tf.reshape<tf.Rank.R2>(required(t), [rows, columns]);
    };
    const loss = (...inputs: tf.Tensor[]): tf.Scalar => {
      const [x, conv1, conv2, bias2, conv3, dense, bias3] = inputs;
      let h = tf.relu(tf.conv2d(rank4(x), rank4(conv1), 1, 'same'));
      h = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(h, rank4(conv2), 2, 'same'), required(bias2)));
      h = tf.relu(tf.conv2d(h, rank4(conv3), 1, 'valid'));
      h = tf.maxPool(h, 2, 2, 'valid');
      const logits = tf.add(tf.matMul(tf.reshape(h, [example.batch, -1]), rank2(dense)), required(bias3));
      return tf.losses.softmaxCrossEntropy(targets, logits);
    };
    const { value, grads } = tf.valueAndGrads(loss)([images, ...weights]);
    return { value, grads };
  });
  const [imageGradient, ...weightGradients] = result.grads;
  const gradients: Record<string, number[]> = { images: Array.from(imageGradient?.dataSync() ?? []) };
  names.forEach((name, i) => {
    gradients[name] = Array.from(weightGradients[i]?.dataSync() ?? []);
  });
  const loss = result.value.dataSync()[0] ?? Number.NaN;
  tf.dispose([result.value, ...result.grads]);
  return { loss, gradients, leakedTensors: tf.memory().numTensors - before };
}
