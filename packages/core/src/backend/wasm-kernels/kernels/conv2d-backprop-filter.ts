/**
 * Conv2DBackpropFilter — absent from stock tfjs-backend-wasm, so no conv net
 * could train on wasm at all.
 *
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]
 * is one GEMM:  dW[(kh,kw,ci), co] = colsT[(kh,kw,ci), (n,oh,ow)] · dy[(n,oh,ow), co]
 * colsT (a transposed im2col) is built by a JS loop over x transposed to
 * [CI,N,H,W] (so copies run along contiguous image rows); the stock wasm
 * Slice kernel was ~25ms per tap here, far slower. The GEMM then runs on the stock untransposed
 * BatchMatMul (XNNPACK), and its [KH*KW*CI, CO] result already is dW's layout.
 *
 * This was measured ~2x faster than the "filter grad as a convolution" trick
 * (conv of x^T with dy^T as a huge dilated kernel): XNNPACK's igemm handles a
 * 24x24-tap kernel with short (batch-sized) channel runs poorly, while the
 * GEMM streams the long N*OH*OW reduction contiguously.
 */
import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
import { type ConvGradAttrs, convInfo, shape4 } from '../conv-geometry.js';
import { free, heapF32, input, offsetF32, reshape, run, transpose, wasmKernel } from '../wasm.js';

interface Attrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

interface Im2colGeometry {
  n: number;
  inH: number;
  inW: number;
  ci: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  sH: number;
  sW: number;
  top: number;
  left: number;
}

/**
 * colsT[(i,j,c), (b,y,x)] = xT[c, b, y*sH+i-top, x*sW+j-left] (0 outside the image).
 * heap is a Float32Array over the whole wasm memory; src/dst are element offsets.
 * Stride-1 rows are moved with heap.copyWithin (a native memmove): a per-element
 * JS loop measured ~3x slower on the seed CNN's 10.6M-element im2col.
 */
function im2colT(heap: Float32Array, src: number, dst: number, g: Im2colGeometry): void {
  const { n, inH, inW, ci, kh, kw, oh, ow, sH, sW, top, left } = g;
  let p = dst;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Columns x whose input pixel is inside the image: [x0, x1).
      const x0 = Math.min(ow, Math.max(0, Math.ceil((left - j) / sW)));
      const x1 = Math.max(x0, Math.min(ow, Math.floor((inW - 1 + left - j) / sW) + 1));
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < n; b++) {
          const plane = src + (c * n + b) * inH * inW;
          for (let y = 0; y < oh; y++) {
            const iy = y * sH + i - top;
            if (iy < 0 || iy >= inH) {
              heap.fill(0, p, p + ow);
              p += ow;
              continue;
            }
            const row = plane + iy * inW + j - left;
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
  }
}

export const conv2DBackpropFilter = wasmKernel<Attrs>(({ inputs, backend, attrs }) => {
  const x = input(inputs, 'x');
  const dy = input(inputs, 'dy');
  const [n, inH, inW, ci] = shape4(x);
  const [kh, kw, , co] = attrs.filterShape;
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const { top, left } = info.padInfo;
  const { outHeight: oh, outWidth: ow, strideHeight: sH, strideWidth: sW } = info;

  const xT = transpose(backend, x, [3, 0, 1, 2]); // [CI, N, H, W]: rows of W contiguous
  const cols = backend.makeOutput([kh * kw * ci, n * oh * ow], 'float32');
  im2colT(heapF32(backend), offsetF32(backend, xT), offsetF32(backend, cols), {
    n,
    inH,
    inW,
    ci,
    kh,
    kw,
    oh,
    ow,
    sH,
    sW,
    top,
    left,
  });
  free(backend, xT);

  const colsT = cols;
  const dy2d = reshape(backend, dy, [n * oh * ow, co]);
  const dW = run('BatchMatMul', backend, { a: colsT, b: dy2d }, { transposeA: false, transposeB: false });
  free(backend, colsT, dy2d);
  const out = reshape(backend, dW, [kh, kw, ci, co]);
  free(backend, dW);
  return out;
});

export const conv2DBackpropFilterConfig = {
  kernelName: Conv2DBackpropFilter,
  kernelFunc: conv2DBackpropFilter,
};
