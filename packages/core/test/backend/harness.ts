import type { NamedAttrMap } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../src/training/random.js';

export interface HostTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

export function randomTensor(
  shape: number[],
  rand: Random,
  dtype: 'float32' | 'int32' = 'float32',
): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++)
    values[i] = dtype === 'float32' ? rand() * 2 - 1 : Math.floor(rand() * 200 - 100);
  return { values, shape, dtype };
}

export interface KernelRun {
  values: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  /** Tensors / backend buffers alive after minus before (should be 0 each). */
  leakedTensors: number;
  leakedDataIds: number;
}

/** Runs one kernel on the current backend via the engine, then frees everything. */
export function runKernel(
  name: string,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
  prepare?: (t: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
): KernelRun {
  let made: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) made[k] = tf.tensor(v.values, v.shape, v.dtype);
  if (prepare) made = { ...made, ...tf.tidy(() => prepare(made)) };
  const backend = tf.engine().backend;
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = backend.numDataIds();
  const out = tf.engine().runKernel(name, made, attrs) as tf.Tensor;
  const values = out.dataSync() as Float32Array | Int32Array | Uint8Array;
  const shape = out.shape.slice();
  out.dispose();
  const run: KernelRun = {
    values,
    shape,
    leakedTensors: tf.memory().numTensors - tensorsBefore,
    leakedDataIds: backend.numDataIds() - idsBefore,
  };
  tf.dispose(Object.values(made));
  return run;
}

/**
 * Elementwise |a-b| <= rtol*|b| + atol*max|b| + absolute (atol scaled to the tensor's magnitude;
 * `absolute` for results whose rounding error does not scale with them, such as sums that cancel).
 */
export function compare(
  got: KernelRun,
  want: KernelRun,
  rtol = 1e-4,
  atol = 1e-4,
  absolute = 0,
): string | null {
  if (got.shape.join(',') !== want.shape.join(',')) return `shape ${got.shape} != ${want.shape}`;
  let scale = 0;
  for (const v of want.values) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.values.length; i++) {
    const a = got.values[i] as number;
    const b = want.values[i] as number;
    if (!(Math.abs(a - b) <= rtol * Math.abs(b) + atol * scale + absolute))
      return `index ${i}: wasm ${a} vs cpu ${b}`;
  }
  if (got.leakedTensors !== 0 || got.leakedDataIds !== 0) {
    return `leak: ${got.leakedTensors} tensors, ${got.leakedDataIds} wasm buffers`;
  }
  return null;
}

export async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

/** Same kernel on cpu then wasm; throws on mismatch or leak (fast-check reports the case). */
export async function checkAgainstCpu(
  name: string,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
  prepare?: (t: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
  absolute = 0,
): Promise<void> {
  const want = await onBackend('cpu', () => runKernel(name, inputs, attrs, prepare));
  const got = await onBackend('wasm', () => runKernel(name, inputs, attrs, prepare));
  const err = compare(got, want, undefined, undefined, absolute);
  if (err)
    throw new Error(
      `${name} ${JSON.stringify(attrs)} ${JSON.stringify(Object.values(inputs).map((t) => t.shape))}: ${err}`,
    );
}
