import type * as tf from '@tensorflow/tfjs';

/** Runs a single-output model; a model with several outputs is a programming error here. */
export function forward(model: tf.LayersModel, input: tf.Tensor): tf.Tensor {
  const output = model.predict(input);
  if (Array.isArray(output)) {
    for (const extra of output) extra.dispose();
    throw new TypeError(`expected a single-output model, ${model.name} has ${output.length} outputs`);
  }
  return output;
}
