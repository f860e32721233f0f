/**
 * MaxPoolGrad — the stock wasm kernel is a slow generic loop, many times the
 * cost of the forward MaxPool. This version scans each
 * window once, channel-innermost so every read is a contiguous run of C
 * floats, keeps a running max/argmax per channel, and scatters dy to the
 * argmax. Ties go to the first maximum in window order, as in the cpu backend.
 */
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs';
import { shape4 } from '../conv-geometry.js';
import { f32, input, wasmKernel } from '../wasm.js';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const maxPoolGrad = wasmKernel<Attrs>(({ inputs, backend, attrs }) => {
  const dy = input(inputs, 'dy');
  const pooledInput = input(inputs, 'input');
  const [n, inH, inW, c] = shape4(pooledInput);
  const info = backend_util.computePool2DInfo(
    [n, inH, inW, c],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { outHeight: oh, outWidth: ow, strideHeight: sH, strideWidth: sW } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight: dH, dilationWidth: dW } = info;
  const { top, left } = info.padInfo;

  const dxInfo = backend.makeOutput([n, inH, inW, c], 'float32');
  const dx = f32(backend, dxInfo);
  const x = f32(backend, pooledInput);
  const g = f32(backend, dy);
  dx.fill(0);
  const best = new Float32Array(c);
  const arg = new Int32Array(c);

  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * sH - top;
      for (let xo = 0; xo < ow; xo++) {
        const x0 = xo * sW - left;
        best.fill(-Infinity);
        arg.fill(-1);
        for (let wy = 0; wy < fh; wy += dH) {
          const iy = y0 + wy;
          if (iy < 0 || iy >= inH) continue;
          for (let wx = 0; wx < fw; wx += dW) {
            const ix = x0 + wx;
            if (ix < 0 || ix >= inW) continue;
            const base = ((b * inH + iy) * inW + ix) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k] as number;
              if (v > (best[k] as number)) {
                best[k] = v;
                arg[k] = base + k;
              }
            }
          }
        }
        const gBase = ((b * oh + y) * ow + xo) * c;
        for (let k = 0; k < c; k++) {
          const at = arg[k] as number;
          if (at >= 0) dx[at] = (dx[at] as number) + (g[gBase + k] as number);
        }
      }
    }
  }
  return dxInfo;
});

export const maxPoolGradConfig = { kernelName: MaxPoolGrad, kernelFunc: maxPoolGrad };
