/**
 * BatchMatMul — the stock wasm kernel only uses XNNPACK when neither operand
 * is transposed; with transposeA/transposeB it falls back to a scalar loop
 * that is ~9x slower. Every dense layer's backward pass hits that path
 * (dW = x^T·dy, dx = dy·W^T), so we materialise the transpose with the stock
 * Transpose kernel and call the stock untransposed kernel.
 *
 * Which tensor to transpose: for C = op(A)·op(B) we can also compute
 * C^T = op(B)^T·op(A)^T and transpose the (often small) result instead. We
 * pick the plan that moves the fewest elements.
 */
import { BatchMatMul, type TensorInfo } from '@tensorflow/tfjs';
import { type BackendWasm, free, input, run, size, stockKernel, transpose, wasmKernel } from '../wasm.js';

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Swaps the two innermost dimensions. */
function swapInner(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return transpose(backend, x, perm);
}

function plainMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return run('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: false });
}

export const batchMatMul = wasmKernel<Attrs>((args) => {
  const { inputs, backend, attrs } = args;
  const a = input(inputs, 'a');
  const b = input(inputs, 'b');
  const { transposeA, transposeB } = attrs;
  if (!transposeA && !transposeB) return stockKernel('BatchMatMul')(args as never);

  const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)] ?? 1;
  const cols = b.shape[b.shape.length - (transposeB ? 2 : 1)] ?? 1;
  const outSize = size(a.shape.slice(0, -2)) * rows * cols;
  // Plan 1: transpose whichever inputs need it. Plan 2: C^T = B'·A', transpose C^T.
  const direct = (transposeA ? size(a.shape) : 0) + (transposeB ? size(b.shape) : 0);
  const swapped = outSize + (transposeA ? 0 : size(a.shape)) + (transposeB ? 0 : size(b.shape));

  if (direct <= swapped) {
    const aa = transposeA ? swapInner(backend, a) : a;
    const bb = transposeB ? swapInner(backend, b) : b;
    const out = plainMatMul(backend, aa, bb);
    if (aa !== a) free(backend, aa);
    if (bb !== b) free(backend, bb);
    return out;
  }
  // C^T = op(B)^T · op(A)^T; an operand already marked transposed is used as-is.
  const bT = transposeB ? b : swapInner(backend, b);
  const aT = transposeA ? a : swapInner(backend, a);
  const cT = plainMatMul(backend, bT, aT);
  if (bT !== b) free(backend, bT);
  if (aT !== a) free(backend, aT);
  const out = swapInner(backend, cT);
  free(backend, cT);
  return out;
});

export const batchMatMulConfig = { kernelName: BatchMatMul, kernelFunc: batchMatMul };
