/**
 * Tile — the stock wasm kernel computes a full multi-index per output element
 * and was the single largest cost of a batch-norm training step (tfjs-core's
 * FusedBatchNorm gradient tiles per-channel statistics to the full activation
 * shape; docs/backends-and-performance.md has the figures).
 * Here: copy the source once, then replicate blocks outward with
 * copyWithin (native memmove): each dimension's
 * block is written once and copied reps-1 times.
 */
import { Tile } from '@tensorflow/tfjs';
import { input, stockKernel, wasmKernel } from '../wasm.js';

interface Attrs {
  reps: number[];
}

type Typed = Float32Array | Int32Array | Uint8Array;

function tileInto(
  src: Typed,
  dst: Typed,
  inShape: readonly number[],
  reps: readonly number[],
  srcStrides: readonly number[],
  dstStrides: readonly number[],
  d: number,
  srcBase: number,
  dstBase: number,
): void {
  const len = inShape[d] as number;
  const rep = reps[d] as number;
  const dstStride = dstStrides[d] as number;
  if (d === inShape.length - 1) {
    dst.set(src.subarray(srcBase, srcBase + len), dstBase);
  } else {
    const srcStride = srcStrides[d] as number;
    for (let i = 0; i < len; i++) {
      tileInto(
        src,
        dst,
        inShape,
        reps,
        srcStrides,
        dstStrides,
        d + 1,
        srcBase + i * srcStride,
        dstBase + i * dstStride,
      );
    }
  }
  const block = len * dstStride;
  for (let r = 1; r < rep; r++) dst.copyWithin(dstBase + r * block, dstBase, dstBase + block);
}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = (out[i + 1] as number) * (shape[i + 1] as number);
  return out;
}

export const tile = wasmKernel<Attrs>((args) => {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x');
  const outShape = x.shape.map((d, i) => d * (attrs.reps[i] ?? 1));
  if (x.dtype === 'string' || x.shape.length === 0 || outShape.includes(0)) {
    return stockKernel('Tile')(args as never);
  }
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x) as Typed;
  const dst = backend.typedArrayFromHeap(out) as Typed;
  tileInto(src, dst, x.shape, attrs.reps, strides(x.shape), strides(outShape), 0, 0, 0);
  return out;
});

export const tileConfig = { kernelName: Tile, kernelFunc: tile };
