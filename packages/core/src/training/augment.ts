import { preprocess } from '../preprocess/index.js';
import { MNIST_PIXELS, MNIST_SIDE } from '../preprocess/validate.js';
import { gaussian, type Random, uniform } from './random.js';

/** How strongly training augmentation distorts a digit. Every field is a maximum magnitude. */
export interface AugmentOptions {
  /** Largest rotation, in radians either way. Default 0.2 (about 11°). */
  rotation: number;
  /** Largest change of one axis's scale relative to the other (aspect), e.g. 0.15 = ±15%. */
  aspect: number;
  /** Largest horizontal shear (x += shear · y). Default 0.3. */
  shear: number;
  /** Largest stroke-weight change, 0–1: positive thickens, negative thins. Default 0.6. */
  thickness: number;
  /** RMS of the elastic displacement, in pixels; 0 turns it off. Default 1.0. */
  elastic: number;
  /**
   * Fraction of digits that are distorted; the rest pass through as they are. Default 0.5: the
   * model must also see crisp, exactly MNIST-normalised digits, or it learns the slight blur of
   * renormalisation as part of what a digit looks like.
   */
  share: number;
}

/** Distortions that match how people's drawings differ from MNIST's, after normalisation. */
export const DEFAULT_AUGMENT: AugmentOptions = {
  rotation: 0.2,
  aspect: 0.15,
  shear: 0.3,
  thickness: 0.6,
  elastic: 1,
  share: 0.5,
};

const SIDE = MNIST_SIDE;

function bilinear(image: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (cx: number, cy: number) =>
    cx < 0 || cy < 0 || cx >= SIDE || cy >= SIDE ? 0 : (image[cy * SIDE + cx] ?? 0);
  return (
    (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
    (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
  );
}

function gaussianBlur(field: Float32Array, sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) =>
    Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  );
  const blurAxis = (source: Float32Array, horizontal: boolean) => {
    const out = new Float32Array(MNIST_PIXELS);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const sx = horizontal ? x + k : x;
          const sy = horizontal ? y : y + k;
          if (sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE)
            sum += (source[sy * SIDE + sx] ?? 0) * (kernel[k + radius] ?? 0);
        }
        out[y * SIDE + x] = sum;
      }
    }
    return out;
  };
  return blurAxis(blurAxis(field, true), false);
}

/**
 * Smooth random displacement fields (Simard et al. 2003: uniform noise blurred with σ = 4 px),
 * scaled to unit RMS. Blurring per sample would dominate the cost of augmentation, so a bank is
 * made once and each sample picks one, flips and scales it.
 */
function elasticBank(random: Random, count: number): Float32Array[] {
  return Array.from({ length: count }, () => {
    const field = gaussianBlur(
      Float32Array.from({ length: MNIST_PIXELS }, () => uniform(random, -1, 1)),
      4,
    );
    const rms = Math.sqrt(field.reduce((s, v) => s + v * v, 0) / field.length) || 1;
    return field.map((v) => v / rms);
  });
}

/** Moves each pixel towards its 3x3 neighbourhood's max (thicker) or min (thinner) by |amount|. */
function changeStrokeWeight(image: Float32Array, amount: number): Float32Array {
  const out = new Float32Array(MNIST_PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let extreme = image[y * SIDE + x] ?? 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const sx = x + dx;
          const sy = y + dy;
          const v = sx < 0 || sy < 0 || sx >= SIDE || sy >= SIDE ? 0 : (image[sy * SIDE + sx] ?? 0);
          extreme = amount > 0 ? Math.max(extreme, v) : Math.min(extreme, v);
        }
      }
      const v = image[y * SIDE + x] ?? 0;
      out[y * SIDE + x] = v + Math.abs(amount) * (extreme - v);
    }
  }
  return out;
}

/** A reusable augmenter: holds its random source and its bank of elastic fields. */
export interface DigitAugmenter {
  /** A randomly distorted copy of an MNIST-style digit (784 floats, 0–1), renormalised like MNIST. */
  augment(digit: Float32Array): Float32Array;
}

/**
 * Creates an augmenter that distorts digits the way people's drawings vary — rotation, aspect,
 * shear, stroke weight, elastic wobble — and then renormalises them with {@link preprocess}, so
 * the model trains on exactly the distribution `predict` produces from a canvas.
 */
export function createAugmenter(random: Random, options: AugmentOptions = DEFAULT_AUGMENT): DigitAugmenter {
  const bank = options.elastic > 0 ? elasticBank(random, 64) : [];
  return {
    augment(digit) {
      if (random() >= options.share) return Float32Array.from(digit);
      const angle = uniform(random, -options.rotation, options.rotation);
      const aspect = 1 + uniform(random, -options.aspect, options.aspect);
      const shear = uniform(random, -options.shear, options.shear);
      // Inverse map: output pixel → source pixel, about the centre.
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const fieldX = bank.length > 0 ? bank[Math.floor(random() * bank.length)] : undefined;
      const fieldY = bank.length > 0 ? bank[Math.floor(random() * bank.length)] : undefined;
      const strength = (options.elastic * Math.abs(gaussian(random))) / Math.SQRT2;
      const centre = SIDE / 2;
      const warped = new Float32Array(MNIST_PIXELS);
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const i = y * SIDE + x;
          let u = x - centre + strength * (fieldX?.[i] ?? 0);
          let v = y - centre + strength * (fieldY?.[(MNIST_PIXELS - 1 - i) | 0] ?? 0);
          const rotatedU = cos * u + sin * v;
          const rotatedV = -sin * u + cos * v;
          u = (rotatedU - shear * rotatedV) / aspect;
          v = rotatedV;
          warped[i] = bilinear(digit, u + centre, v + centre);
        }
      }
      const weight = uniform(random, -options.thickness, options.thickness);
      const weighted = Math.abs(weight) > 0.05 ? changeStrokeWeight(warped, weight) : warped;
      try {
        return preprocess({ data: weighted, width: SIDE, height: SIDE, channels: 1 }).pixels;
      } catch {
        return Float32Array.from(digit); // a distortion that erased the digit: keep the original
      }
    },
  };
}
