import * as tf from '@tensorflow/tfjs';
import { nextTask } from '../next-task.js';

/**
 * Digits per forward pass, wherever a set of digits goes through a network: features, evaluation,
 * a retrain's passes, the rehearsal digits and the correction memory's rebuild. Batch size does
 * not change throughput on wasm (25 to 100 digits alike); 32 digits keep each batch one short
 * task on a page's thread, where 100 took 66–138 ms in Chromium (docs/learning-from-corrections.md
 * has the measurement).
 */
export const FORWARD_BATCH = 32;

/** The shape of one input of a network: an image, or what a network's frozen layers make of it. */
export type ItemShape = [number, number, number];

/** A 28x28 grey image, as a network's input. */
export const IMAGE: ItemShape = [28, 28, 1];

/**
 * Calls `batch(start, size)` for consecutive batches of `count` items, in order, one batch at a
 * time. Between batches it hands the thread back (on wasm `data()` resolves without yielding, and
 * on a page every batch must be its own task), and stops there, rejecting, once `signal` aborts.
 */
export async function inBatches(
  count: number,
  batch: (start: number, size: number) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  for (let start = 0; start < count; start += FORWARD_BATCH) {
    if (start > 0) await nextTask();
    signal?.throwIfAborted();
    await batch(start, Math.min(FORWARD_BATCH, count - start));
  }
}

/** Items `start` to `start + size` of `items` (n items of `shape`, flat) as a `[size, ...shape]` tensor. */
export function batchTensor(
  items: Float32Array,
  start: number,
  size: number,
  shape: ItemShape = IMAGE,
): tf.Tensor4D {
  const itemSize = shape[0] * shape[1] * shape[2];
  return tf.tensor4d(items.subarray(start * itemSize, (start + size) * itemSize), [size, ...shape]);
}
