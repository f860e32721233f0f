import { ImageTooLargeError, InvalidImageError } from './errors.js';
import { type InkMap, inkFromGray, inkFromRgba } from './ink.js';
import type { ImageInput } from './types.js';

/** Side length of an MNIST image. */
export const MNIST_SIDE = 28;
/** Number of values in an MNIST image. */
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** The smallest image side accepted: below this there is no room for a recognisable digit. */
export const MIN_SIDE = 8;
/** The default largest accepted image side. */
export const DEFAULT_MAX_SIDE = 4096;

const isByteArray = (data: unknown): data is Uint8Array | Uint8ClampedArray =>
  data instanceof Uint8Array || data instanceof Uint8ClampedArray;

/** Checks a `Float32Array` for values outside 0–1 (NaN included) and names the first one. */
export function assertUnitFloats(data: Float32Array, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] ?? Number.NaN;
    if (!(v >= 0 && v <= 1)) {
      throw new InvalidImageError(`${what}: value ${v} at index ${i} is outside 0–1`);
    }
  }
}

/** Refuses a size that is not whole pixels, over `maxSide`, or too small for a digit. */
export function assertDimensions(width: unknown, height: unknown, maxSide: number): asserts width is number {
  if (!Number.isInteger(width) || !Number.isInteger(height)) {
    throw new InvalidImageError(`width and height must be integers, got ${String(width)}x${String(height)}`);
  }
  const w = width as number;
  const h = height as number;
  if (w > maxSide || h > maxSide) throw new ImageTooLargeError(w, h, maxSide);
  if (w < MIN_SIDE || h < MIN_SIDE) {
    throw new InvalidImageError(`image is ${w}x${h} px; the smallest accepted is ${MIN_SIDE}x${MIN_SIDE}`);
  }
}

/** Input that is already an MNIST-style 28x28 image. */
export interface MnistStyle {
  mnist: Float32Array;
}

/**
 * Reads any supported input into an ink map, or passes MNIST-style input through. Every
 * malformed input is rejected here, before any large allocation.
 */
export function readInk(input: ImageInput, maxSide: number): InkMap | MnistStyle {
  if (input instanceof Float32Array) {
    if (input.length !== MNIST_PIXELS) {
      throw new InvalidImageError(
        `a bare Float32Array must be an MNIST-style 28x28 image (784 values), got ${input.length} values`,
      );
    }
    assertUnitFloats(input, 'MNIST-style image');
    return { mnist: input };
  }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidImageError(
      `expected an image object or a Float32Array, got ${input === null ? 'null' : typeof input}`,
    );
  }
  const { data, width, height } = input;
  const channels = input.channels ?? 4;
  if (channels !== 1 && channels !== 4) {
    throw new InvalidImageError(`channels must be 1 (grayscale) or 4 (RGBA), got ${String(channels)}`);
  }
  assertDimensions(width, height, maxSide);
  const isFloat = data instanceof Float32Array;
  if (!isByteArray(data) && !(isFloat && channels === 1)) {
    throw new InvalidImageError(
      channels === 4
        ? 'RGBA data must be a Uint8ClampedArray or Uint8Array'
        : 'grayscale data must be a Uint8ClampedArray, Uint8Array or Float32Array',
    );
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new InvalidImageError(
      `${width}x${height} ${channels === 4 ? 'RGBA' : 'grayscale'} needs ${expected} values, got ${data.length}`,
    );
  }
  if (data instanceof Float32Array) {
    assertUnitFloats(data, 'grayscale image');
    return inkFromGray(data, width, height);
  }
  return channels === 4 ? inkFromRgba(data, width, height) : inkFromGray(data, width, height);
}
