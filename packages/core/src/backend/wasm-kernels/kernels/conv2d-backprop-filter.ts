/**
 * Conv2DBackpropFilter — absent from stock tfjs-backend-wasm, so no conv net
 * could train on wasm at all.
 *
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]
 * is one GEMM:  dW[(kh,kw,ci), co] = colsT[(kh,kw,ci), (n,oh,ow)] · dy[(n,oh,ow), co]
 * on the stock untransposed BatchMatMul (XNNPACK), whose [KH*KW*CI, CO] result
 * already is dW's layout. The GEMM is most of the time; building colsT is the rest.
 *
 * colsT is built "wide": each output row is taken WQ = OW + (KW-1)/s columns wide
 * instead of OW, so that for one (tap, channel, image) all OH rows are one
 * contiguous run of the padded input and cost one native copy, not OH of them
 * (copyWithin's per-call cost dominated the old row-by-row build). The extra
 * columns meet zero rows of a widened dy, so they lengthen the GEMM's reduction by
 * (WQ-OW)/OW and change nothing in the result. Strided convs first split the
 * padded input into its s*s stride phases (x[s*y+py, s*x+px] for each py, px), in
 * which every tap is a stride-1 shift. One-channel inputs keep exact-width rows
 * (see narrowCols). docs/backends-and-performance.md has the measurements.
 *
 * Measured alternatives that lost: the "filter grad as a convolution" trick
 * (XNNPACK's igemm handles a 24x24-tap kernel with batch-sized channel runs
 * poorly); one GEMM per tap on shifted views of the padded input (no
 * copy at all, but CI-row GEMMs run below XNNPACK's peak: slower on the 32- and
 * 64-channel layers); and splitting the GEMM's reduction into 4k-long chunks to keep
 * operands in cache (no faster); and for the small late layers, whose wide rows lengthen the
 * reduction most, a natural-layout im2col (one copy of CI floats per tap and output pixel) with
 * dW^T = dy^T · cols and the result transposed back: slower on every layer of `compact` but the
 * last at batch 64 (10–71 ms against 8–21 ms; 17 against 18 ms at 4x4x128).
 */
import { type backend_util, Conv2DBackpropFilter, type TensorInfo } from '@tensorflow/tfjs';
import { type ConvGradAttrs, convInfo } from '../conv-geometry.js';
import {
  type BackendWasm,
  free,
  heapF32,
  input,
  offsetF32,
  reshape,
  run,
  transpose,
  wasmKernel,
} from '../wasm.js';

interface Attrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

/**
 * The padded input split into stride phases: [sH, sW, CI, N, HQ, WQ] where
 * phases[py, px, c, b, y, x] = x[b, sH*y + py - top, sW*x + px - left, c] (0 in the padding).
 * HQ/WQ are just large enough for every tap of every output pixel.
 */
function stridePhases(
  backend: BackendWasm,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  hq: number,
  wq: number,
): TensorInfo {
  const { batchSize: n, inHeight: inH, inWidth: inW, inChannels: ci } = info;
  const { strideHeight: sH, strideWidth: sW } = info;
  const { top, left } = info.padInfo;
  const hp = sH * hq;
  const wp = sW * wq;
  // Strided convs can leave trailing input rows/columns that no output reads: crop them, so
  // the padding below is never negative.
  const keepH = Math.min(inH, hp - top);
  const keepW = Math.min(inW, wp - left);
  const cropped =
    keepH < inH || keepW < inW
      ? run('Slice', backend, { x }, { begin: [0, 0, 0, 0], size: [n, keepH, keepW, ci] })
      : x;
  // A reshape rather than the input itself when there is no padding (a stride-1 'valid'
  // conv), so that every step below owns, and may free, what it was given.
  const padded =
    top === 0 && left === 0 && keepH === hp && keepW === wp
      ? reshape(backend, cropped, [n, hp, wp, ci])
      : run(
          'PadV2',
          backend,
          { x: cropped },
          {
            paddings: [
              [0, 0],
              [top, hp - top - keepH],
              [left, wp - left - keepW],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
  if (cropped !== x) free(backend, cropped);

  // Two rank-3 transposes: the stock wasm Transpose of the equivalent rank-5 permutation
  // measured ~20x slower. The first moves the row phase outermost, the second the column
  // phase and channel ahead of the pixels.
  let rowPhases = padded;
  if (sH > 1) {
    const split = reshape(backend, padded, [n * hq, sH, wq * sW * ci]);
    free(backend, padded);
    rowPhases = transpose(backend, split, [1, 0, 2]); // [sH, N*HQ, WQ*sW*CI]
    free(backend, split);
  }
  const grid = reshape(backend, rowPhases, [sH, n * hq * wq, sW * ci]);
  free(backend, rowPhases);
  if (sW * ci === 1) return grid; // already [sH, 1, 1, N, HQ, WQ]: skip an identity copy
  const phases = transpose(backend, grid, [0, 2, 1]);
  free(backend, grid);
  return phases;
}

/**
 * Exact-width colsT for single-channel inputs, one copy per output row:
 * colsT[(i,j), (b,y,x)] = x[b, y*sH+i-top, x*sW+j-left, 0] (0 outside the image).
 * With one channel there are few rows to copy, and the wide layout's longer GEMM
 * (its packing of dy is most of the time here) measured slower on the first
 * layers of our models.
 */
function narrowCols(backend: BackendWasm, x: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: inH, inWidth: inW } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sH, strideWidth: sW } = info;
  const { outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const cols = backend.makeOutput([kh * kw, n * oh * ow], 'float32');
  const heap = heapF32(backend);
  const src = offsetF32(backend, x); // one channel: x's rows are already contiguous image rows
  let p = offsetF32(backend, cols);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Columns x whose input pixel is inside the image: [x0, x1).
      const x0 = Math.min(ow, Math.max(0, Math.ceil((left - j) / sW)));
      const x1 = Math.max(x0, Math.min(ow, Math.floor((inW - 1 + left - j) / sW) + 1));
      for (let b = 0; b < n; b++) {
        const image = src + b * inH * inW;
        for (let y = 0; y < oh; y++) {
          const iy = y * sH + i - top;
          if (iy < 0 || iy >= inH) {
            heap.fill(0, p, p + ow);
            p += ow;
            continue;
          }
          const row = image + iy * inW + j - left;
          if (x0 > 0) heap.fill(0, p, p + x0);
          if (sW === 1) {
            heap.copyWithin(p + x0, row + x0, row + x1);
          } else {
            for (let x = x0; x < x1; x++) heap[p + x] = heap[row + x * sW] as number;
          }
          if (x1 < ow) heap.fill(0, p + x1, p + ow);
          p += ow;
        }
      }
    }
  }
  return cols;
}

export const conv2DBackpropFilter = wasmKernel<Attrs>(({ inputs, backend, attrs }) => {
  const x = input(inputs, 'x');
  const dy = input(inputs, 'dy');
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sH, strideWidth: sW } = info;
  const hq = oh + Math.floor((kh - 1) / sH);
  const wq = ow + Math.floor((kw - 1) / sW);
  const plane = hq * wq;
  const span = oh * wq; // one (tap, channel, image) run of colsT

  if (ci === 1) {
    const cols = narrowCols(backend, x, info);
    const dy2d = reshape(backend, dy, [n * oh * ow, co]);
    return gemm(backend, cols, dy2d, [kh, kw, ci, co]);
  }

  const phases = stridePhases(backend, x, info, hq, wq);
  const cols = backend.makeOutput([kh * kw * ci, n * span], 'float32');
  const heap = heapF32(backend);
  const phasesStart = offsetF32(backend, phases);
  const phasesEnd = phasesStart + sH * sW * ci * n * plane;
  let p = offsetF32(backend, cols);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const phase = ((i % sH) * sW + (j % sW)) * ci * n * plane;
      const shift = Math.floor(i / sH) * wq + Math.floor(j / sW);
      const tap = phasesStart + phase + shift;
      for (let k = 0; k < ci * n; k++) {
        // A run starting `shift` into its (channel, image) plane ends `shift` past it: those
        // values land in wide columns (dy is 0 there) and come from the next plane. The very
        // last plane has no next one, so its tail is zero-filled rather than read past the end.
        const from = tap + k * plane;
        const len = Math.min(span, phasesEnd - from);
        heap.copyWithin(p, from, from + len);
        if (len < span) heap.fill(0, p + len, p + span);
        p += span;
      }
    }
  }
  free(backend, phases);

  // dy widened to WQ columns with zeros, to line up with colsT's wide rows.
  let dyWide: TensorInfo;
  if (wq > ow) {
    dyWide = backend.makeOutput([n * span, co], 'float32');
    const h = heapF32(backend);
    const from = offsetF32(backend, dy);
    const to = offsetF32(backend, dyWide);
    const rowIn = ow * co;
    const rowOut = wq * co;
    for (let r = 0; r < n * oh; r++) {
      h.copyWithin(to + r * rowOut, from + r * rowIn, from + (r + 1) * rowIn);
      h.fill(0, to + r * rowOut + rowIn, to + (r + 1) * rowOut);
    }
  } else {
    dyWide = reshape(backend, dy, [n * span, co]);
  }

  return gemm(backend, cols, dyWide, [kh, kw, ci, co]);
});

/** dW = colsT · dy on the stock untransposed BatchMatMul; frees both operands. */
function gemm(
  backend: BackendWasm,
  cols: TensorInfo,
  dy2d: TensorInfo,
  filterShape: [number, number, number, number],
): TensorInfo {
  const dW = run('BatchMatMul', backend, { a: cols, b: dy2d }, { transposeA: false, transposeB: false });
  free(backend, cols, dy2d);
  const out = reshape(backend, dW, filterShape);
  free(backend, dW);
  return out;
}

export const conv2DBackpropFilterConfig = {
  kernelName: Conv2DBackpropFilter,
  kernelFunc: conv2DBackpropFilter,
};
