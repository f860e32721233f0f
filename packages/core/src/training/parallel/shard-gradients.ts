import * as tf from '@tensorflow/tfjs';
import { MNIST_PIXELS } from '../../preprocess/validate.js';
import { UnsupportedParallelModelError } from './errors.js';

/** One shard's result: its mean loss and the gradient of that loss for every trainable weight. */
export interface ShardGradients {
  loss: number;
  /** In `model.trainableWeights` order; the caller disposes them. */
  gradients: tf.Tensor[];
}

/** The tfjs variables behind `model.trainableWeights`, in that order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => {
    const value = weight.read();
    if (!(value instanceof tf.Variable))
      throw new UnsupportedParallelModelError(`${weight.name} is not a variable`);
    return value;
  });
}

/**
 * Gradients of the mean categorical crossentropy (plus any regularisation) over the first `count`
 * digits of `images`/`targets` — the loss `model.trainOnBatch` minimises after
 * `compile({ loss: 'categoricalCrossentropy' })`, so shards of a batch reproduce its gradient.
 * Runs the model in training mode: batch norm uses this shard's statistics and updates its moving
 * averages, as `trainOnBatch` would.
 */
export function shardGradients(
  model: tf.LayersModel,
  images: Float32Array,
  targets: Float32Array,
  count: number,
): ShardGradients {
  const variables = trainableVariables(model);
  const x = tf.tensor4d(images.subarray(0, count * MNIST_PIXELS), [count, 28, 28, 1]);
  const y = tf.tensor2d(targets.subarray(0, count * 10), [count, 10]);
  try {
    const { value, grads } = tf.variableGrads(() => {
      const output = model.apply(x, { training: true });
      if (!(output instanceof tf.Tensor)) throw new UnsupportedParallelModelError('it has several outputs');
      const perDigit = tf.metrics.categoricalCrossentropy(y, output);
      return model
        .calculateLosses()
        .reduce<tf.Scalar>((sum, penalty) => tf.add(sum, penalty), tf.mean(perDigit));
    }, variables);
    const loss = value.dataSync()[0] ?? Number.NaN;
    value.dispose();
    // A weight the loss does not reach gets no entry; zeros keep the layout whole.
    return { loss, gradients: variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable)) };
  } finally {
    x.dispose();
    y.dispose();
  }
}
