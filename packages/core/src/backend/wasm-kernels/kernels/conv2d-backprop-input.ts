/**
 * Conv2DBackpropInput — the stock wasm kernel is a plain scalar C++ loop
 * (no XNNPACK, no SIMD) and dominated wasm training time.
 *
 * dx is the "full" convolution of dy with the filter rotated 180 degrees and
 * its in/out channels swapped, so we express it as a stock XNNPACK Conv2D:
 *   filter' = transpose(reverse(W, [0,1]), [0,1,3,2])   -> [KH, KW, CO, CI]
 *   pad'    = KH-1-padTop (top), chosen so the output is exactly H (bottom).
 * That is only used for stride 1: strided convs go through GEMM + col2im
 * (see conv2d_backprop_input_col2im.ts), because zero insertion would waste
 * (s^2-1)/s^2 of the MACs.
 */

import type { TensorInfo } from '@tensorflow/tfjs';
import { Conv2DBackpropInput } from '@tensorflow/tfjs';
import { type ConvGradAttrs, convInfo, shape4 } from '../conv-geometry.js';
import { type BackendWasm, free, heapF32, input, offsetF32, run, transpose, wasmKernel } from '../wasm.js';
import { backpropInputCol2im } from './conv2d-backprop-input-col2im.js';

interface Attrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

export const conv2DBackpropInput = wasmKernel<Attrs>(({ inputs, backend, attrs }) => {
  const dy = input(inputs, 'dy');
  const filter = input(inputs, 'filter');
  const [kh, kw, ci] = shape4(filter);
  const [n, inH, inW] = attrs.inputShape;
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const sH = info.strideHeight;
  const sW = info.strideWidth;
  if (sH > 1 || sW > 1) return backpropInputCol2im(backend, dy, filter, info);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  // Stride 1: output = OH + top + bottom - KH + 1 must equal H.
  const bottom = inH - info.outHeight + info.padInfo.top;
  const right = inW - info.outWidth + info.padInfo.left;

  const reversed = reverseTaps(backend, filter);
  const flipped = transpose(backend, reversed, [0, 1, 3, 2]);
  free(backend, reversed);

  // XNNPACK only takes non-negative pads: clamp, then crop the surplus.
  const [pt, pb, pl, pr] = [top, bottom, left, right].map((p) => Math.max(p, 0)) as [
    number,
    number,
    number,
    number,
  ];
  const conv = run(
    'Conv2D',
    backend,
    { x: dy, filter: flipped },
    {
      strides: [1, 1],
      dilations: [1, 1],
      dataFormat: 'NHWC',
      pad: [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
    },
  );
  free(backend, flipped);

  const [, outH, outW] = shape4(conv);
  if (outH === inH && outW === inW) return conv;
  const dx = run(
    'Slice',
    backend,
    { x: conv },
    { begin: [0, pt - top, pl - left, 0], size: [n, inH, inW, ci] },
  );
  free(backend, conv);
  return dx;
});

/**
 * The filter with its taps in reverse order (`reverse(filter, [0, 1])`): one block copy per tap.
 * The stock wasm `Reverse` kernel moves element by element, and took almost half of the
 * gradient's time for the shipped model's last-stage filter.
 */
function reverseTaps(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = shape4(filter);
  const out = backend.makeOutput([kh, kw, ci, co], 'float32');
  const heap = heapF32(backend);
  const from = offsetF32(backend, filter);
  const to = offsetF32(backend, out);
  const tap = ci * co;
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++) {
      const source = from + (y * kw + x) * tap;
      heap.copyWithin(to + ((kh - 1 - y) * kw + (kw - 1 - x)) * tap, source, source + tap);
    }
  return out;
}

export const conv2DBackpropInputConfig = { kernelName: Conv2DBackpropInput, kernelFunc: conv2DBackpropInput };
