import * as tf from '@tensorflow/tfjs';
import { batchTensor, type ItemShape, inBatches } from '../model/batches.js';
import type { SplitNetwork } from '../model/inference.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';

/** Copies of the values of the weights of `model.layers` before `until`, in order. */
export function weightsBefore(model: tf.LayersModel, until: number): Float32Array[] {
  return model.layers
    .slice(0, until)
    .flatMap((layer) => layer.getWeights().map((weight) => Float32Array.from(weight.dataSync())));
}

/** Whether two lists of weight values are equal, value for value. */
export const sameValues = (a: readonly Float32Array[], b: readonly Float32Array[]) =>
  a.length === b.length &&
  a.every((values, i) => {
    const other = b[i];
    return other !== undefined && other.length === values.length && values.every((v, j) => v === other[j]);
  });

/** A set of digits the frozen layers' outputs are kept for. */
export type DigitSet = 'validation' | 'rehearsal';

/** What frozen layers make of one set of digits: `shape` per digit, digits in order. */
export interface FrozenSet {
  values: Float32Array;
  shape: ItemShape;
}

/**
 * What a model's layers before `from` make of the gate's validation digits and of the rehearsal
 * digits. An incremental run trains only the layers from `from` on, so a candidate shares these
 * outputs with its base, and so does every later candidate trained from it: with them, judging a
 * candidate runs only its trained layers. Made once per set, the first time a run needs it.
 */
export interface FrozenOutputs {
  readonly from: number;
  /** Whether `model`'s layers before `at` hold the weights these outputs were made with. */
  fits(model: tf.LayersModel, at: number): boolean;
  /**
   * The outputs for `set`; if not kept yet, made by `layers` (the frozen layers of a model that
   * fits) from the digits `images` returns (n × 784, read only then).
   */
  of(
    set: DigitSet,
    layers: SplitNetwork['frozen'],
    images: () => Float32Array,
    signal?: AbortSignal,
  ): Promise<FrozenSet>;
}

/** Frozen outputs for `model` cut before `model.layers[from]`; undefined when it cannot be cut. */
export function frozenOutputs(model: tf.LayersModel, from: number): FrozenOutputs | undefined {
  if (!(model instanceof tf.Sequential) || from <= 0) return undefined;
  const weights = weightsBefore(model, from);
  const made = new Map<DigitSet, Promise<FrozenSet>>();
  return {
    from,
    fits: (other, at) => at === from && sameValues(weightsBefore(other, at), weights),
    of(set, layers, images, signal) {
      let outputs = made.get(set);
      if (!outputs) {
        outputs = run(layers, images(), signal);
        made.set(set, outputs);
        // A run that failed (or was aborted) leaves nothing behind: the next one makes them again.
        outputs.catch(() => made.delete(set));
      }
      return outputs;
    },
  };
}

async function run(
  layers: SplitNetwork['frozen'],
  images: Float32Array,
  signal?: AbortSignal,
): Promise<FrozenSet> {
  const count = images.length / MNIST_PIXELS;
  let values = new Float32Array(0);
  let shape: ItemShape = [0, 0, 0];
  await inBatches(
    count,
    async (start, size) => {
      const output = tf.tidy(() => layers(batchTensor(images, start, size)));
      try {
        const [, h = 0, w = 0, c = 0] = output.shape;
        if (start === 0) {
          shape = [h, w, c];
          values = new Float32Array(count * h * w * c);
        }
        values.set(await output.data(), start * h * w * c);
      } finally {
        output.dispose();
      }
    },
    signal,
  );
  return { values, shape };
}
