import { EmptyImageError, InvalidImageError } from './errors.js';
import type { InkSource } from './ink.js';
import { type Rect, resample } from './resample.js';
import type { ImageInput, PreprocessOptions } from './types.js';
import { DEFAULT_MAX_SIDE, MNIST_PIXELS, MNIST_SIDE, readInk } from './validate.js';

/** MNIST digits were scaled so the longer side of their bounding box is 20 px. */
const DIGIT_BOX = 20;
/**
 * A blank canvas, or one with a stray speck, is not a digit. "Too little ink" is relative to the
 * canvas: at least 0.02% of its area in full-ink pixels (16 px on a 280x280 canvas) and a
 * bounding box at least 2% of its longer side (6 px on 280x280), and never under 1 px / 2 px.
 */
export function hasEnoughInk(mass: number, box: Rect, width: number, height: number): boolean {
  const minMass = Math.max(1, 0.0002 * width * height);
  const minExtent = Math.max(2, 0.02 * Math.max(width, height));
  return mass >= minMass && Math.max(box.width, box.height) >= minExtent;
}

/** What {@link preprocess} did, for debugging and previews. */
export interface PreprocessInfo {
  /** `'mnist'` when the input was already MNIST-style and passed through unchanged. */
  source: InkSource | 'mnist';
  /** The ink's bounding box in the input image (absent for MNIST-style input). */
  inkBox?: Rect;
  /** Output pixels per input pixel (absent for MNIST-style input). */
  scale?: number;
  /** Where the 20 px digit box was placed in the 28x28 field (absent for MNIST-style input). */
  offset?: { x: number; y: number };
}

/** An image normalised exactly as MNIST digits were. */
export interface PreprocessedImage {
  /** 784 values, row-major, 1 = full ink, 0 = background (white on black, as in MNIST). */
  pixels: Float32Array;
  width: 28;
  height: 28;
  info: PreprocessInfo;
}

/** Centre of mass of a `width` x `height` image. */
function centreOfMass(pixels: Float32Array, width: number, height: number): { x: number; y: number } {
  let total = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x] ?? 0;
      total += v;
      sumX += v * (x + 0.5);
      sumY += v * (y + 0.5);
    }
  }
  return total > 0 ? { x: sumX / total, y: sumY / total } : { x: width / 2, y: height / 2 };
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * Normalises a drawing the way MNIST was made, so the model sees what it was trained on:
 * ink detection (alpha or either polarity), crop to the ink's bounding box, area-averaged scaling
 * of the longer side to 20 px keeping the aspect ratio, then placement in a 28x28 field with the
 * centre of mass at the centre (shifted only as far as keeps the whole digit inside).
 *
 * @throws {InvalidImageError} malformed input: wrong data length, NaN, non-integer or tiny size.
 * @throws {ImageTooLargeError} a side longer than `options.maxSide` (4096 by default).
 * @throws {EmptyImageError} a blank or near-blank image.
 */
export function preprocess(input: ImageInput, options: PreprocessOptions = {}): PreprocessedImage {
  const inkMap = readInk(input, options.maxSide ?? DEFAULT_MAX_SIDE);
  if ('mnist' in inkMap) {
    return { pixels: Float32Array.from(inkMap.mnist), width: 28, height: 28, info: { source: 'mnist' } };
  }
  const { box, mass } = inkMap;
  if (!box || !hasEnoughInk(mass, box, inkMap.width, inkMap.height)) throw new EmptyImageError();
  return normaliseInk(inkMap.ink, inkMap.width, box, inkMap.source);
}

/**
 * The MNIST normalisation of the ink inside `box` of an ink map `inkWidth` pixels wide: crop,
 * area-averaged scaling of the longer side to 20 px, centre of mass to the centre of 28x28.
 */
export function normaliseInk(
  ink: Float32Array,
  inkWidth: number,
  box: Rect,
  source: InkSource,
): PreprocessedImage {
  const longer = Math.max(box.width, box.height);
  const scale = DIGIT_BOX / longer;
  const boxWidth = box.width >= box.height ? DIGIT_BOX : Math.max(1, Math.round(box.width * scale));
  const boxHeight = box.height > box.width ? DIGIT_BOX : Math.max(1, Math.round(box.height * scale));
  const digit = resample(ink, inkWidth, box, boxWidth, boxHeight);
  // MNIST strokes always reach full ink. A fine pen shrunk 10x averages down to a faint grey
  // line; bring its strongest pixel back to 1 so it reads like a pencil stroke, not a smudge.
  let strongest = 0;
  for (const v of digit) strongest = Math.max(strongest, v);
  const gain = strongest > 0 ? 1 / strongest : 1;

  // MNIST put the centre of mass on pixel (14, 14) (index coordinates; its mean over the test
  // set is 14.0), by a whole-pixel shift. Here pixel i spans [i, i + 1), so its centre is i + 0.5.
  const centre = centreOfMass(digit, boxWidth, boxHeight);
  const target = MNIST_SIDE / 2 + 0.5;
  const offsetX = clamp(Math.round(target - centre.x), 0, MNIST_SIDE - boxWidth);
  const offsetY = clamp(Math.round(target - centre.y), 0, MNIST_SIDE - boxHeight);

  const pixels = new Float32Array(MNIST_PIXELS);
  for (let y = 0; y < boxHeight; y++) {
    for (let x = 0; x < boxWidth; x++) {
      pixels[(y + offsetY) * MNIST_SIDE + x + offsetX] = Math.min(1, (digit[y * boxWidth + x] ?? 0) * gain);
    }
  }
  return {
    pixels,
    width: 28,
    height: 28,
    info: { source, inkBox: box, scale, offset: { x: offsetX, y: offsetY } },
  };
}

/**
 * Renders a preprocessed image as RGBA pixels for a preview (`ctx.putImageData`), white ink on
 * black as the model sees it, each pixel enlarged to a `zoom` x `zoom` block.
 */
export function toImageData(
  image: Pick<PreprocessedImage, 'pixels'>,
  zoom = 1,
): { data: Uint8ClampedArray; width: number; height: number } {
  if (!Number.isInteger(zoom) || zoom < 1 || zoom > 64) {
    throw new InvalidImageError(`zoom must be an integer from 1 to 64, got ${zoom}`);
  }
  const side = MNIST_SIDE * zoom;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const value = Math.round(
        (image.pixels[Math.floor(y / zoom) * MNIST_SIDE + Math.floor(x / zoom)] ?? 0) * 255,
      );
      const at = (y * side + x) * 4;
      data[at] = value;
      data[at + 1] = value;
      data[at + 2] = value;
      data[at + 3] = 255;
    }
  }
  return { data, width: side, height: side };
}
