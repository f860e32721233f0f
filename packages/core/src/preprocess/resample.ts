/** Source taps for each output sample along one axis: indices and weights, flattened. */
interface AxisTaps {
  offsets: Int32Array; // output j uses taps offsets[j] .. offsets[j + 1] - 1
  indices: Int32Array;
  weights: Float32Array;
}

/**
 * Taps that shrink `inLength` samples to `outLength` by area averaging: each output sample is
 * the mean of the source span it covers, partial pixels weighted by their overlap. This is the
 * anti-aliasing MNIST's size normalisation used; point sampling (nearest, bilinear) drops thin
 * strokes when a 280 px drawing becomes 20 px.
 */
function areaTaps(inLength: number, outLength: number): AxisTaps {
  const ratio = inLength / outLength;
  const offsets = new Int32Array(outLength + 1);
  const indices: number[] = [];
  const weights: number[] = [];
  for (let j = 0; j < outLength; j++) {
    const from = j * ratio;
    const to = Math.min(inLength, (j + 1) * ratio);
    for (let i = Math.floor(from); i < to; i++) {
      const overlap = Math.min(i + 1, to) - Math.max(i, from);
      if (overlap > 1e-9) {
        indices.push(i);
        weights.push(overlap / ratio);
      }
    }
    offsets[j + 1] = indices.length;
  }
  return { offsets, indices: Int32Array.from(indices), weights: Float32Array.from(weights) };
}

/** Taps that enlarge by linear interpolation between pixel centres (area averaging would give blocks). */
function linearTaps(inLength: number, outLength: number): AxisTaps {
  const ratio = inLength / outLength;
  const offsets = new Int32Array(outLength + 1);
  const indices = new Int32Array(outLength * 2);
  const weights = new Float32Array(outLength * 2);
  for (let j = 0; j < outLength; j++) {
    const centre = Math.min(inLength - 1, Math.max(0, (j + 0.5) * ratio - 0.5));
    const low = Math.floor(centre);
    const fraction = centre - low;
    indices[2 * j] = low;
    weights[2 * j] = 1 - fraction;
    indices[2 * j + 1] = Math.min(low + 1, inLength - 1);
    weights[2 * j + 1] = fraction;
    offsets[j + 1] = 2 * (j + 1);
  }
  return { offsets, indices, weights };
}

const tapsFor = (inLength: number, outLength: number) =>
  outLength <= inLength ? areaTaps(inLength, outLength) : linearTaps(inLength, outLength);

/** A rectangle inside an image, in pixels: columns `x .. x + width - 1`, rows `y .. y + height - 1`. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Resamples the `crop` rectangle of a single-channel image (`stride` values per row) to
 * `outWidth` x `outHeight`, separably: rows first, then columns.
 */
export function resample(
  source: Float32Array,
  stride: number,
  crop: Rect,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const columns = tapsFor(crop.width, outWidth);
  const rows = tapsFor(crop.height, outHeight);

  const horizontal = new Float32Array(crop.height * outWidth);
  for (let y = 0; y < crop.height; y++) {
    const rowStart = (crop.y + y) * stride + crop.x;
    for (let j = 0; j < outWidth; j++) {
      let sum = 0;
      for (let t = columns.offsets[j] ?? 0; t < (columns.offsets[j + 1] ?? 0); t++) {
        sum += (source[rowStart + (columns.indices[t] ?? 0)] ?? 0) * (columns.weights[t] ?? 0);
      }
      horizontal[y * outWidth + j] = sum;
    }
  }

  const out = new Float32Array(outWidth * outHeight);
  for (let i = 0; i < outHeight; i++) {
    for (let t = rows.offsets[i] ?? 0; t < (rows.offsets[i + 1] ?? 0); t++) {
      const weight = rows.weights[t] ?? 0;
      const rowStart = (rows.indices[t] ?? 0) * outWidth;
      for (let j = 0; j < outWidth; j++) {
        out[i * outWidth + j] = (out[i * outWidth + j] ?? 0) + (horizontal[rowStart + j] ?? 0) * weight;
      }
    }
  }
  return out;
}
