/**
 * Per-channel broadcasting on the stock XNNPACK binary kernels, made fast.
 *
 * XNNPACK broadcasts a [rows, k] tensor against a [k] vector one k-wide row at a time, so with
 * the few channels of a small CNN its per-row overhead dominates: several times the cost of
 * multiplying two full tensors of that shape. The same product,
 * computed on the tensor viewed as [rows/m, m*k] against the vector repeated m times, streams
 * rows about a thousand floats wide and runs as fast as the full-tensor case.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { type BackendWasm, f32, free, reshape, run, size } from './wasm.js';

/** Rows this wide (in floats) run at XNNPACK's streaming speed; wider gains nothing. */
const TARGET_WIDTH = 1024;

/**
 * How many k-wide rows to merge into one: the largest divisor m of `rows` with m*k no wider
 * than `width` floats. 1 means no merging is possible (or needed).
 */
export function rowsPerWideRow(rows: number, k: number, width = TARGET_WIDTH): number {
  for (let m = Math.min(rows, Math.floor(width / k)); m > 1; m--) {
    if (rows % m === 0) return m;
  }
  return 1;
}

/**
 * A float32 [m*k] tensor holding `values` (length k) m times over. `values` must not be a view
 * of the wasm heap: allocating the row may grow the heap and detach it.
 */
export function repeatedRow(backend: BackendWasm, values: ArrayLike<number>, m: number): TensorInfo {
  const k = values.length;
  const row = backend.makeOutput([m * k], 'float32');
  const dst = f32(backend, row);
  dst.set(values);
  for (let filled = k; filled < m * k; filled *= 2)
    dst.copyWithin(filled, 0, Math.min(filled, m * k - filled));
  return row;
}

/**
 * `op(x, row)`, or `op(row, x)` when `rowFirst`, with x viewed as rows of row's width; the
 * result has `shape` (x's by default). The caller keeps ownership of x and row.
 */
export function applyToRows(
  backend: BackendWasm,
  op: string,
  x: TensorInfo,
  row: TensorInfo,
  rowFirst = false,
  shape: readonly number[] = x.shape,
): TensorInfo {
  const width = size(row.shape);
  const wide = reshape(backend, x, [size(x.shape) / width, width]);
  const result = run(op, backend, rowFirst ? { a: row, b: wide } : { a: wide, b: row });
  free(backend, wide);
  const out = reshape(backend, result, shape.slice());
  free(backend, result);
  return out;
}
