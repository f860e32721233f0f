/**
 * The training kernel set for tfjs's `wasm` backend. Self-contained: it depends only on
 * `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm`, composing the stock XNNPACK-backed
 * wasm kernels, so it can move upstream as it is.
 */
import { getKernel, type KernelFunc, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { batchMatMulConfig } from './kernels/batch-mat-mul.js';
import { addConfig, multiplyConfig, realDivConfig, subConfig } from './kernels/channel-binary.js';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './kernels/conv2d-backprop-input.js';
import { fusedBatchNormConfig } from './kernels/fused-batch-norm.js';
import { castConfig, identityConfig } from './kernels/identity.js';
import { maxPoolGradConfig } from './kernels/max-pool-grad.js';
import { meanConfig, sumConfig } from './kernels/reduce.js';
import { tileConfig } from './kernels/tile.js';
import { registerMeanGradient, restoreMeanGradient } from './mean-gradient.js';
import { stockConfig } from './wasm.js';

interface TrainingKernel {
  kernelName: string;
  kernelFunc: KernelFunc;
}

export const TRAINING_KERNELS: readonly TrainingKernel[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  tileConfig,
  sumConfig,
  meanConfig,
  multiplyConfig,
  addConfig,
  subConfig,
  realDivConfig,
  fusedBatchNormConfig,
  identityConfig,
  castConfig,
];

/** Stock kernels our kernels delegate to; captured before anything is overridden. */
const DELEGATES = [
  'Add',
  'AvgPool',
  'BatchMatMul',
  'Cast',
  'Concat',
  'Conv2D',
  'FusedBatchNorm',
  'Identity',
  'Mean',
  'Multiply',
  'PadV2',
  'RealDiv',
  'Reshape',
  'Slice',
  'StridedSlice',
  'Sub',
  'Sum',
  'Tile',
  'Transpose',
];

/**
 * Installs training kernels on the `wasm` backend: `Conv2DBackpropFilter` (missing from stock
 * tfjs, so no conv net could train on wasm), and faster `Conv2DBackpropInput`, transposed
 * `BatchMatMul`, `MaxPoolGrad`, `Tile`, and batch norm's patterns: per-channel `Sum`/`Mean`,
 * per-channel `Multiply`/`Add`/`Sub`/`RealDiv`, `FusedBatchNorm`, and copy-free `Identity` and
 * same-dtype `Cast`; and `Mean`'s gradient without a tensor of ones (mean-gradient.ts, the same
 * numbers). Idempotent, and safe before or after `tf.setBackend('wasm')`: a replaced
 * stock kernel keeps its `setupFunc`, which the stock `kernelFunc` we delegate to needs. A side
 * effect on tfjs's global kernel and gradient registries.
 */
export function registerWasmTrainingKernels(): void {
  registerSubset(TRAINING_KERNELS.map((k) => k.kernelName));
}

/** Registers only the named kernels (benchmarks use this for before/after comparisons). */
export function registerSubset(names: readonly string[]): void {
  for (const name of DELEGATES) stockConfig(name);
  for (const { kernelName, kernelFunc } of TRAINING_KERNELS) {
    if (!names.includes(kernelName)) continue;
    stockConfig(kernelName); // remember what we are about to replace
    const current = getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    const setupFunc = current?.setupFunc;
    if (current) unregisterKernel(kernelName, 'wasm');
    registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
  }
  if (names.includes('Mean')) registerMeanGradient();
}

/** Undoes {@link registerWasmTrainingKernels}: stock kernels back, added kernels removed. */
export function restoreStockWasmKernels(): void {
  for (const { kernelName, kernelFunc } of TRAINING_KERNELS) {
    if (getKernel(kernelName, 'wasm')?.kernelFunc !== kernelFunc) continue;
    unregisterKernel(kernelName, 'wasm');
    const original = stockConfig(kernelName);
    if (original) registerKernel(original);
  }
  restoreMeanGradient();
}
