/**
 * Mean's gradient without a tensor of ones. tfjs-core's gradient spreads dy over the reduced
 * axes as `mul(dy, ones(x.shape)) / n`: it fills an activation-sized array with ones in a JS loop,
 * copies it into the backend and multiplies by it. Batch norm takes two means per layer and
 * step (`moments`), so that was about 5% of a training step of the compact model on wasm.
 * Here dy / n is spread with `broadcastTo` (a Tile, one pass of memory copies): every element
 * is the same float32 division as before, so gradients are bit-for-bit unchanged. Gradients are
 * not per backend; this one is installed with the wasm training kernels and restored with them.
 */
import {
  backend_util,
  broadcastTo,
  div,
  type GradConfig,
  getGradient,
  Mean,
  type NamedAttrMap,
  registerGradient,
  reshape,
  type Tensor,
  util,
} from '@tensorflow/tfjs';

export const meanGradConfig: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved as [Tensor];
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const [, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const reduceSize = util.sizeFromShape(reduceShape);
    return {
      x: () => {
        const kept = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
        return broadcastTo(div(reshape(dy as Tensor, kept), reduceSize), x.shape);
      },
    };
  },
};

let stock: GradConfig | undefined;

/** Installs {@link meanGradConfig}, remembering the gradient it replaces. Idempotent. */
export function registerMeanGradient(): void {
  const current = getGradient(Mean);
  if (current === meanGradConfig) return;
  stock = current;
  registerGradient(meanGradConfig);
}

/** Puts back the gradient {@link registerMeanGradient} replaced. */
export function restoreMeanGradient(): void {
  if (getGradient(Mean) !== meanGradConfig || !stock) return;
  registerGradient(stock);
}
