/** Pixel storage accepted for 8-bit images. */
export type ByteArray = Uint8ClampedArray | Uint8Array;

/**
 * RGBA pixels, as `canvas.getContext('2d').getImageData()` returns them: 4 bytes per pixel,
 * row-major. Either dark ink on a light background or ink of any colour on a transparent one.
 */
export interface RgbaImage {
  data: ByteArray;
  width: number;
  height: number;
  /** Omit, or 4. */
  channels?: 4;
}

/**
 * One value per pixel, row-major: bytes 0–255 or floats 0–1. Either polarity (dark ink on light,
 * or light ink on dark); the background is read from the border.
 */
export interface GrayscaleImage {
  data: ByteArray | Float32Array;
  width: number;
  height: number;
  channels: 1;
}

/**
 * Anything `preprocess` reads: an RGBA image, a grayscale image, or a `Float32Array` of 784
 * values that is already MNIST-style (28x28, row-major, white ink = 1 on black = 0, centred).
 */
export type ImageInput = RgbaImage | GrayscaleImage | Float32Array;

/** Options for {@link preprocess}. */
export interface PreprocessOptions {
  /** Largest accepted width or height, in pixels. Larger images get `ImageTooLargeError`. Default 4096. */
  maxSide?: number;
}
