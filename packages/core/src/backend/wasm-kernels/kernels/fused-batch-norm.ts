/**
 * FusedBatchNorm — the stock wasm kernel is a scalar C++ loop with a square root per element,
 * and batch norm runs it on every activation of every training step. With per-channel parameters it is `(x - mean) * k + offset` where
 * k = scale / sqrt(variance + epsilon) is computed once per channel (in float64, as the cpu
 * backend does per element), so three stock XNNPACK passes over wide rows (see wide-rows.ts)
 * do it. Subtracting the mean first, rather than folding it into the offset, avoids the
 * cancellation `x * k - mean * k` would suffer when |mean| is large against the spread.
 *
 * Taken: float32, parameters whose sizes divide the channel count (the cpu backend cycles each
 * parameter through the flattened tensor, so these are per-channel, possibly repeating), and
 * tensors large enough to matter. Everything else goes to stock.
 */
import { Add, FusedBatchNorm, Multiply, Sub, type TensorInfo } from '@tensorflow/tfjs';
import { type BackendWasm, f32, free, input, size, stockKernel, wasmKernel } from '../wasm.js';
import { applyToRows, repeatedRow, rowsPerWideRow } from '../wide-rows.js';

interface Attrs {
  varianceEpsilon?: number | null;
}

/** Below this the stock loop takes a few microseconds. */
const MIN_ELEMENTS = 1 << 13;

/** One value per channel; undefined for an absent parameter, null if one is not per-channel. */
function perChannel(
  backend: BackendWasm,
  t: TensorInfo | undefined,
  channels: number,
): Float64Array | null | undefined {
  if (!t) return undefined;
  const len = size(t.shape);
  if (t.dtype !== 'float32' || len === 0 || channels % len !== 0) return null;
  const values = f32(backend, t);
  return Float64Array.from({ length: channels }, (_, c) => values[c % len] as number);
}

export const fusedBatchNorm = wasmKernel<Attrs>((args) => {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x');
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const n = size(x.shape);
  if (x.dtype !== 'float32' || channels === 0 || n < MIN_ELEMENTS)
    return stockKernel(FusedBatchNorm)(args as never);
  const mean = perChannel(backend, input(inputs, 'mean'), channels);
  const variance = perChannel(backend, input(inputs, 'variance'), channels);
  const scale = perChannel(backend, inputs.scale, channels);
  const offset = perChannel(backend, inputs.offset, channels);
  if (!mean || !variance || scale === null || offset === null)
    return stockKernel(FusedBatchNorm)(args as never);

  const epsilon = attrs.varianceEpsilon ?? 0.001;
  const k = variance.map((v, c) => (scale ? (scale[c] as number) : 1) / Math.sqrt(v + epsilon));
  const m = rowsPerWideRow(n / channels, channels);
  const meanRow = repeatedRow(backend, mean, m);
  const kRow = repeatedRow(backend, k, m);
  const centred = applyToRows(backend, Sub, x, meanRow);
  const scaled = applyToRows(backend, Multiply, centred, kRow);
  free(backend, meanRow, kRow, centred);
  if (!offset) return scaled;
  const offsetRow = repeatedRow(backend, offset, m);
  const out = applyToRows(backend, Add, scaled, offsetRow);
  free(backend, offsetRow, scaled);
  return out;
});

export const fusedBatchNormConfig = { kernelName: FusedBatchNorm, kernelFunc: fusedBatchNorm };
