import type { Random } from '@crazy-digits/core/training';
import { bilinear, type PenStroke, strokeCoverage } from './canvas.js';
import { compose, trim, WIDEST } from './number-layout.js';
import type { PenDigit } from './pen-digits.js';

/**
 * How the digits of a handwritten number sit beside each other:
 * - `'separate'`: a gap between neighbours' ink of 10–60% of the taller one's ink height;
 * - `'touching'`: each digit is as far left as it goes before its ink touches its left
 *   neighbour's (their cores, the pixels at least half inked, overlap or share an edge);
 * - `'overlapping'`: neighbours' ink boxes overlap by 2–10% of the narrower one's width, so
 *   their ink may cross (or, for shapes that leave room, not meet at all).
 */
export type NumberSpacing = 'separate' | 'touching' | 'overlapping';

/** How {@link drawPenNumber} and {@link drawMnistNumber} lay a number out on a canvas. */
export interface NumberCanvasOptions {
  spacing: NumberSpacing;
  background: 'dark-on-white' | 'transparent';
  /** Every random choice (sizes, jitter, gaps, pen) comes from it, so a seed fixes the drawing. */
  random: Random;
  /** Canvas height in pixels. Default 280. */
  height?: number;
  /**
   * Canvas width in pixels. Default: the number's ink plus a margin of 5–30% of the height on
   * each side. A number too wide for a given width is laid out again with smaller digits.
   */
  width?: number;
  /** Ink colour, RGB bytes. Default black. */
  ink?: readonly [number, number, number];
  /**
   * Draw only this digit (an index into the digits), where the whole number puts it: its ink
   * alone, e.g. to check how neighbours meet. `text` and `boxes` stay the whole number's.
   */
  layer?: number;
}

/** {@link drawMnistNumber}'s options: the layout's, and the digits' labels. */
export interface MnistNumberOptions extends NumberCanvasOptions {
  /** The label of each digit, in order (MNIST images carry none); they make `text`. */
  labels: readonly number[];
}

/** A pixel rectangle on the canvas. */
export interface InkBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A handwritten number drawn on a canvas. */
export interface DrawnNumber {
  /** RGBA pixels, as `getImageData` gives them. */
  image: { data: Uint8ClampedArray; width: number; height: number };
  /** The digits' labels, left to right. */
  text: string;
  /**
   * Each digit's ink box, left to right: the smallest pixel rectangle holding every pixel its
   * ink (pen width and anti-aliasing included) changes.
   */
  boxes: InkBox[];
}

/**
 * Draws a handwritten number as a browser drawing pad would show it: the pen `digits` (one
 * writer's, left to right) side by side on a canvas 280 px high, all with one round pen 16–20 px
 * wide, each digit's height (pen centre line) 45–75% of the canvas height (one size for the
 * number, ±4% a digit, a digit never wider than 1.5 times that), on a shared baseline jittered
 * by ±3% of the height, spaced as `spacing` says. Deterministic for a given `random` sequence.
 */
export function drawPenNumber(digits: readonly PenDigit[], options: NumberCanvasOptions): DrawnNumber {
  const radius = (16 + 4 * options.random()) / 2;
  return compose(digits.length, digits.map((d) => d.label).join(''), options, (index, height, bottom) => {
    const digit = digits[index] as PenDigit;
    const points = digit.strokes.flat();
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const scale = Math.min(height / Math.max(maxY - minY, 1), (WIDEST * height) / Math.max(maxX - minX, 1));
    const top = bottom - (maxY - minY) * scale;
    // The tile: the ink with the pen's reach and a pixel of anti-aliasing all round.
    const tileY = Math.floor(top - radius - 2);
    const tileWidth = Math.ceil((maxX - minX) * scale + 2 * radius + 4);
    const tileHeight = Math.ceil(bottom - tileY + radius + 2);
    const strokes: PenStroke[] = digit.strokes.map((stroke) =>
      stroke.map(([x, y]) => [(x - minX) * scale + radius + 2, top + (y - minY) * scale - tileY] as const),
    );
    return trim(strokeCoverage(strokes, radius, tileWidth, tileHeight), tileWidth, tileHeight, 0, tileY);
  });
}

/** Bounding box of the ink (> 0.1) of a 28x28 digit, in its pixels (inclusive). */
function mnistInk(digit: Float32Array) {
  let [minX, minY, maxX, maxY] = [28, 28, -1, -1];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if ((digit[y * 28 + x] ?? 0) <= 0.1) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  if (maxX < 0) throw new RangeError('an MNIST digit of the number has no ink');
  return { minX, minY, maxX, maxY };
}

/**
 * Draws a handwritten number from 28x28 MNIST digits (floats 0–1, white ink on black) the way
 * {@link drawPenNumber} lays out pen digits: side by side on a canvas 280 px high, each enlarged
 * with smooth anti-aliased strokes (as `drawDigitOnCanvas` does) to 45–75% of the height, one
 * stroke weight for the whole number, spaced as `spacing` says. For tests that must not depend on
 * the real-writer data file. Deterministic for a given `random` sequence.
 */
export function drawMnistNumber(digits: readonly Float32Array[], options: MnistNumberOptions): DrawnNumber {
  if (options.labels.length !== digits.length)
    throw new RangeError(`${digits.length} digits but ${options.labels.length} labels`);
  // The iso-line that becomes the stroke edge: lower is a thicker stroke.
  const level = 0.3 + 0.25 * options.random();
  return compose(digits.length, options.labels.join(''), options, (index, height, bottom) => {
    const digit = digits[index] as Float32Array;
    const ink = mnistInk(digit);
    // Canvas px per digit px; the ink box spans from the first ink pixel's edge to the last's.
    const scale = Math.min(height / (ink.maxY - ink.minY + 1), (WIDEST * height) / (ink.maxX - ink.minX + 1));
    const top = bottom - (ink.maxY - ink.minY + 1) * scale;
    // Two digit pixels of room all round: bilinear ink reaches one pixel past the last ink pixel.
    const reach = 2 * scale;
    const tileY = Math.floor(top - reach);
    const tileWidth = Math.ceil((ink.maxX - ink.minX + 1) * scale + 2 * reach);
    const tileHeight = Math.ceil(bottom + reach - tileY);
    const softness = Math.max(0.02, 1 / scale);
    const coverage = new Float32Array(tileWidth * tileHeight);
    for (let row = 0; row < tileHeight; row++) {
      const y = ink.minY - 0.5 + (tileY + row + 0.5 - top) / scale;
      for (let column = 0; column < tileWidth; column++) {
        const x = ink.minX - 0.5 + (column + 0.5 - reach) / scale;
        const value = bilinear(digit, x, y);
        coverage[row * tileWidth + column] = Math.min(1, Math.max(0, (value - level) / softness + 0.5));
      }
    }
    return trim(coverage, tileWidth, tileHeight, 0, tileY);
  });
}
