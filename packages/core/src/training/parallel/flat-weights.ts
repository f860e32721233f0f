import * as tf from '@tensorflow/tfjs';

type Weight = tf.LayersModel['trainableWeights'][number];

/** Where each trainable weight sits in one flat float32 vector. */
export interface FlatLayout {
  shapes: number[][];
  offsets: number[];
  /** Total number of floats. */
  length: number;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((product, dim) => product * dim, 1);

export function flatLayout(weights: readonly Weight[]): FlatLayout {
  const shapes = weights.map((weight) => [...weight.read().shape]);
  const offsets: number[] = [];
  let length = 0;
  for (const shape of shapes) {
    offsets.push(length);
    length += sizeOf(shape);
  }
  return { shapes, offsets, length };
}

/** True when two layouts hold the same shapes in the same order. */
export function sameShapes(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  return a.length === b.length && a.every((shape, i) => shape.join('x') === b[i]?.join('x'));
}

/** Copies tensors (one per weight, in layout order) into `target`. */
export function writeFlat(tensors: readonly tf.Tensor[], layout: FlatLayout, target: Float32Array): void {
  tensors.forEach((tensor, i) => {
    target.set(tensor.dataSync(), layout.offsets[i] ?? 0);
  });
}

/** Copies the weights' current values into `target`. */
export function readWeightsInto(weights: readonly Weight[], layout: FlatLayout, target: Float32Array): void {
  writeFlat(
    weights.map((weight) => weight.read()),
    layout,
    target,
  );
}

/** The floats of weight `i` in `source`, as a view. */
export function flatSlice(source: Float32Array, layout: FlatLayout, i: number): Float32Array {
  const offset = layout.offsets[i] ?? 0;
  return source.subarray(offset, offset + sizeOf(layout.shapes[i] ?? []));
}

/**
 * Sets the weights from `source`. The values are copied out of `source` first: on backends that
 * keep a tensor's array as given (cpu), a tensor over a shared buffer would change under the
 * model's feet when the coordinator next writes it.
 */
export function writeWeightsFrom(weights: readonly Weight[], layout: FlatLayout, source: Float32Array): void {
  weights.forEach((weight, i) => {
    const value = tf.tensor(flatSlice(source, layout, i).slice(), layout.shapes[i]);
    weight.write(value);
    value.dispose();
  });
}
