/**
 * Multiply, Add, Sub and RealDiv of a tensor and a per-channel vector: batch norm scales,
 * shifts and centres activations by [C] or [1,1,1,C] tensors, forward and backward, in either
 * operand order. The stock XNNPACK kernels do it one C-wide row at a time (see wide-rows.ts);
 * we hand them the same operation on rows about a thousand floats wide.
 *
 * Taken: float32 operands where one has the output's size and the other, leading 1s aside,
 * equals the output's trailing dimensions. Everything else goes to stock unchanged, including
 * same-shape operands and scalars, which XNNPACK already streams at full speed, and tensors
 * too small for the row width to matter.
 */
import { Add, backend_util, Multiply, RealDiv, Sub, type TensorInfo } from '@tensorflow/tfjs';
import { f32, free, input, size, stockKernel, wasmKernel } from '../wasm.js';
import { applyToRows, repeatedRow, rowsPerWideRow } from '../wide-rows.js';

/** Below this many output elements the stock kernel's row overhead is a few microseconds. */
const MIN_ELEMENTS = 1 << 14;

/** `small` broadcasts along leading axes only, so it repeats with period size(small). */
function repeatsAlongLeadingAxes(small: readonly number[], out: readonly number[]): boolean {
  const first = small.findIndex((d) => d !== 1);
  const block = first < 0 ? [] : small.slice(first);
  if (block.length > out.length) return false;
  const tail = out.slice(out.length - block.length);
  return block.every((d, i) => d === tail[i]);
}

interface Plan {
  full: TensorInfo;
  small: TensorInfo;
  smallFirst: boolean;
  outShape: number[];
  m: number;
}

function plan(a: TensorInfo, b: TensorInfo): Plan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = size(outShape);
  if (n < MIN_ELEMENTS) return null;
  const aFull = size(a.shape) === n;
  if (aFull === (size(b.shape) === n)) return null;
  const [full, small] = aFull ? [a, b] : [b, a];
  const k = size(small.shape);
  if (k < 2 || !repeatsAlongLeadingAxes(small.shape, outShape)) return null;
  const m = rowsPerWideRow(n / k, k);
  if (m === 1) return null;
  return { full, small, smallFirst: !aFull, outShape, m };
}

function channelBinary(name: string) {
  return wasmKernel<Record<string, never>>((args) => {
    const { inputs, backend } = args;
    const p = plan(input(inputs, 'a'), input(inputs, 'b'));
    if (!p) return stockKernel(name)(args as never);
    const row = repeatedRow(backend, f32(backend, p.small).slice(), p.m);
    const out = applyToRows(backend, name, p.full, row, p.smallFirst, p.outShape);
    free(backend, row);
    return out;
  });
}

export const multiplyConfig = { kernelName: Multiply, kernelFunc: channelBinary(Multiply) };
export const addConfig = { kernelName: Add, kernelFunc: channelBinary(Add) };
export const subConfig = { kernelName: Sub, kernelFunc: channelBinary(Sub) };
export const realDivConfig = { kernelName: RealDiv, kernelFunc: channelBinary(RealDiv) };
