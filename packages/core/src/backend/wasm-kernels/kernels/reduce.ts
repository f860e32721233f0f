/**
 * Sum and Mean over a contiguous block of axes that leaves the last axis alone: batch-norm
 * statistics and their gradients (axes [0,1,2] of an NHWC activation, one value per channel)
 * and global average pooling (axes [1,2]). The stock wasm kernels reduce innermost axes only,
 * so they first transpose the whole tensor; Sum plus Mean were a large share of a training
 * step of the compact model.
 *
 * x is [outer, rows, inner], summed over rows. Stock AvgPool (XNNPACK) averages windows of
 * k rows in one pass over memory if x is viewed as [outer, rows/m, 1, m*inner] (wide rows, as
 * in wide-rows.ts); that leaves rows/k partial means per output, combined in float64. XNNPACK
 * adds in float32, so windows are at most MAX_FLOAT32_ROWS tall. Where that view does not fit
 * (small tensors, row counts without a suitable divisor, very wide rows), a JS loop reads x
 * once in memory order, with float64 totals that each take eight rows summed pairwise. Either
 * way a mean over 100k values matches the cpu backend's float64 loop. Innermost reductions
 * (stock needs no transpose for those), integer dtypes and everything else go to stock.
 */
import { AvgPool, Mean, Sum, type TensorInfo, util } from '@tensorflow/tfjs';
import {
  type BackendWasm,
  f32,
  free,
  input,
  reshape,
  run,
  size,
  stockKernel,
  type WasmKernelArgs,
  wasmKernel,
} from '../wasm.js';
import { rowsPerWideRow } from '../wide-rows.js';

/** Smaller tensors take the JS loop: it costs microseconds there. */
const MIN_POOLED_ELEMENTS = 1 << 15;
/**
 * Widest row handed to AvgPool, in floats (its channel count). Stock wasm AvgPool reads out of
 * bounds from 16384 channels on (a 64 KB buffer, presumably on the 64 KB wasm stack); up to
 * 4096 it is as fast as any wider row.
 */
const POOL_WIDTH = 4096;
/** Windows this tall leave few partials to add in JS; shorter ones are not worth a call. */
const WINDOW = 32;
const MIN_WINDOW = 8;
/** At most this many values go into one float32 partial sum. */
const MAX_FLOAT32_ROWS = 512;

interface Attrs {
  axis: number | number[] | null;
  keepDims: boolean;
}

/** x as [outer, rows, inner], reduced over rows. */
interface Plan {
  outer: number;
  rows: number;
  inner: number;
  outShape: number[];
}

function plan(x: TensorInfo, attrs: Attrs): Plan | null {
  const shape = x.shape;
  const rank = shape.length;
  // A null axis means every axis, the last among them.
  if (x.dtype !== 'float32' || rank === 0 || size(shape) === 0 || attrs.axis == null) return null;
  const axes = [...new Set(util.parseAxisParam(attrs.axis, shape.slice()))].sort((p, q) => p - q);
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (first === undefined || last === undefined) return null;
  // Innermost reductions need no transpose, so stock does them well.
  if (last === rank - 1 || last - first + 1 !== axes.length) return null;
  const reduced = (i: number) => i >= first && i <= last;
  return {
    outer: size(shape.slice(0, first)),
    rows: size(shape.slice(first, last + 1)),
    inner: size(shape.slice(last + 1)),
    outShape: attrs.keepDims
      ? shape.map((d, i) => (reduced(i) ? 1 : d))
      : shape.filter((_, i) => !reduced(i)),
  };
}

function reduceRows(x: Float32Array, out: Float32Array, p: Plan, divisor: number): void {
  const { outer, rows, inner: w } = p;
  const total = new Float64Array(w);
  for (let o = 0; o < outer; o++) {
    total.fill(0);
    let at = o * rows * w;
    let r = 0;
    for (; r + 8 <= rows; r += 8, at += 8 * w) {
      for (let c = 0; c < w; c++) {
        const i = at + c;
        const a = (x[i] as number) + (x[i + w] as number);
        const b = (x[i + 2 * w] as number) + (x[i + 3 * w] as number);
        const d = (x[i + 4 * w] as number) + (x[i + 5 * w] as number);
        const e = (x[i + 6 * w] as number) + (x[i + 7 * w] as number);
        total[c] = (total[c] as number) + (a + b + (d + e));
      }
    }
    for (; r < rows; r++, at += w) {
      for (let c = 0; c < w; c++) total[c] = (total[c] as number) + (x[at + c] as number);
    }
    const base = o * w;
    for (let c = 0; c < w; c++) out[base + c] = (total[c] as number) / divisor;
  }
}

/**
 * Per-output sums of x as [outer, rows, inner] via XNNPACK average pooling of x viewed as
 * [outer, rows/m, 1, m*inner] with k-row windows, or null where that would be slow or inexact:
 * one pass over memory instead of the JS loop's ~1 ns per element.
 */
function sumsByPooling(backend: BackendWasm, x: TensorInfo, p: Plan): Float64Array | null {
  const { outer, rows, inner } = p;
  if (outer * rows * inner < MIN_POOLED_ELEMENTS) return null;
  // Rows are merged only while windows can stay WINDOW rows tall: the partials are added in JS.
  const m = rowsPerWideRow(rows, inner, Math.min(POOL_WIDTH, inner * Math.floor(rows / WINDOW)));
  const width = m * inner;
  const wideRows = rows / m;
  const k = rowsPerWideRow(wideRows, 1, MAX_FLOAT32_ROWS);
  if (width > POOL_WIDTH || k < MIN_WINDOW) return null;
  const wide = reshape(backend, x, [outer, wideRows, 1, width]);
  const means = run(AvgPool, backend, { x: wide }, { filterSize: [k, 1], strides: [k, 1], pad: 'valid' });
  free(backend, wide);
  const v = f32(backend, means);
  const totals = new Float64Array(outer * inner);
  const perOuter = (wideRows / k) * width;
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    for (let at = o * perOuter; at < (o + 1) * perOuter; at += inner) {
      for (let c = 0; c < inner; c++)
        totals[base + c] = (totals[base + c] as number) + (v[at + c] as number) * k;
    }
  }
  free(backend, means);
  return totals;
}

function reduction(name: string, mean: boolean) {
  return wasmKernel<Attrs>((args: WasmKernelArgs<Attrs>) => {
    const { inputs, backend, attrs } = args;
    const x = input(inputs, 'x');
    const p = plan(x, attrs);
    if (!p) return stockKernel(name)(args as never);
    const divisor = mean ? p.rows : 1;
    const totals = sumsByPooling(backend, x, p);
    const out = backend.makeOutput(p.outShape, 'float32');
    if (totals) {
      const o = f32(backend, out);
      for (let i = 0; i < totals.length; i++) o[i] = (totals[i] as number) / divisor;
    } else {
      reduceRows(f32(backend, x), f32(backend, out), p, divisor);
    }
    return out;
  });
}

export const sumConfig = { kernelName: Sum, kernelFunc: reduction(Sum, false) };
export const meanConfig = { kernelName: Mean, kernelFunc: reduction(Mean, true) };
