import type { Rect } from './resample.js';
import type { ByteArray } from './types.js';

/** How ink was told apart from background; reported for debugging. */
export type InkSource = 'alpha' | 'dark-on-light' | 'light-on-dark';

/** Ink strength per pixel, 0 (background) to 1 (full ink), row-major, with where it lies. */
export interface InkMap {
  ink: Float32Array;
  width: number;
  height: number;
  source: InkSource;
  /** Bounding box of the non-zero ink; absent when there is none. */
  box: Rect | undefined;
  /** Sum of the ink, in full-ink pixels. */
  mass: number;
}

/**
 * Ink below this fraction of the strongest ink is treated as background. It removes paper grain,
 * JPEG ringing and faint anti-aliasing halos that would otherwise stretch the bounding box.
 */
const INK_FLOOR = 0.1;

/** Median of the values on the image's one-pixel border: the background estimate. */
function borderMedian(width: number, height: number, valueAt: (index: number) => number): number {
  const values: number[] = [];
  for (let x = 0; x < width; x++) values.push(valueAt(x), valueAt((height - 1) * width + x));
  for (let y = 1; y < height - 1; y++) values.push(valueAt(y * width), valueAt(y * width + width - 1));
  values.sort((a, b) => a - b);
  return values[values.length >> 1] ?? 0;
}

/**
 * Turns raw ink strengths (any positive scale) into the ink map, in one pass: divides by the
 * strongest ink so it becomes 1 — MNIST digits always reach full ink, and a pencil on grey paper
 * or a half-transparent brush should look the same to the model — zeroes what falls under the
 * floor, and finds the bounding box and the mass. Ink whose strongest pixel is itself under the
 * floor of the full range is no ink.
 */
function finishInk(
  strength: Float32Array,
  strongest: number,
  fullRange: number,
  width: number,
  height: number,
  source: InkSource,
): InkMap {
  if (strongest < INK_FLOOR * fullRange) {
    return { ink: strength.fill(0), width, height, source, box: undefined, mass: 0 };
  }
  const scale = 1 / strongest;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  let mass = 0;
  for (let y = 0, i = 0; y < height; y++) {
    let rowHasInk = false;
    for (let x = 0; x < width; x++, i++) {
      const v = (strength[i] ?? 0) * scale;
      if (v < INK_FLOOR) {
        strength[i] = 0;
      } else {
        strength[i] = v;
        mass += v;
        rowHasInk = true;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
      }
    }
    if (rowHasInk) {
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  const box = maxX < 0 ? undefined : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  return { ink: strength, width, height, source, box, mass };
}

/** Intensity in 0..255 of the RGBA pixel at byte `p`, composited over white. */
function intensityOver(data: ByteArray, p: number): number {
  const alpha = (data[p + 3] ?? 0) / 255;
  const luma = 0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0);
  return luma * alpha + 255 * (1 - alpha);
}

/**
 * Ink from RGBA pixels. A transparent background (most of the border has alpha < 50%) means ink
 * is wherever paint is, whatever its colour: ink = alpha. Otherwise the pixels are composited over
 * white and read by luminance (Rec. 601 weights), with the polarity taken from the border.
 */
export function inkFromRgba(data: ByteArray, width: number, height: number): InkMap {
  const pixelCount = width * height;
  const strength = new Float32Array(pixelCount);
  let strongest = 0;

  if (borderMedian(width, height, (i) => data[i * 4 + 3] ?? 0) < 128) {
    for (let i = 0; i < pixelCount; i++) {
      const alpha = data[i * 4 + 3] ?? 0;
      strength[i] = alpha;
      if (alpha > strongest) strongest = alpha;
    }
    return finishInk(strength, strongest, 255, width, height, 'alpha');
  }

  const background = borderMedian(width, height, (i) => intensityOver(data, i * 4));
  const sign = background >= 127.5 ? -1 : 1;
  // Most of a drawing is the background colour itself: pixels whose four bytes, read as one
  // 32-bit word, are the top-left pixel's (when that is the background) are skipped without
  // arithmetic; they would come out as no ink anyway.
  const words =
    data.byteOffset % 4 === 0 && intensityOver(data, 0) === background
      ? new Uint32Array(data.buffer, data.byteOffset, pixelCount)
      : undefined;
  const blank = words?.[0] ?? -1; // -1: no word is, when there are no words
  for (let i = 0; i < pixelCount; i++) {
    if (words?.[i] === blank) continue;
    const v = sign * (intensityOver(data, i * 4) - background);
    if (v > 0) {
      strength[i] = v;
      if (v > strongest) strongest = v;
    }
  }
  return finishInk(strength, strongest, 255, width, height, sign < 0 ? 'dark-on-light' : 'light-on-dark');
}

/** Ink from one channel (bytes 0–255 or floats 0–1), polarity taken from the border. */
export function inkFromGray(data: ByteArray | Float32Array, width: number, height: number): InkMap {
  const fullRange = data instanceof Float32Array ? 1 : 255;
  const pixelCount = width * height;
  const background = borderMedian(width, height, (i) => data[i] ?? 0);
  const sign = background >= fullRange / 2 ? -1 : 1;
  const strength = new Float32Array(pixelCount);
  let strongest = 0;
  for (let i = 0; i < pixelCount; i++) {
    const v = sign * ((data[i] ?? 0) - background);
    if (v > 0) {
      strength[i] = v;
      if (v > strongest) strongest = v;
    }
  }
  return finishInk(
    strength,
    strongest,
    fullRange,
    width,
    height,
    sign < 0 ? 'dark-on-light' : 'light-on-dark',
  );
}
