import { isCrazyDigitsError, preprocess } from '@crazy-digits/core';
import { decodeImage } from '@crazy-digits/node-adapter';

/** Limits of one decode, from the server's configuration. */
export interface DecodeLimits {
  maxSide: number;
  maxBytes: number;
}

/** A decoded, preprocessed digit, or the library error that refused the image. */
export type DecodeOutcome = { pixels: Float32Array } | { error: { code: string; message: string } };

/**
 * Client image string → the 28x28 MNIST-style digit `predict` and `correct` take. The image is
 * never a file path (`allowFilePath: false`) and its header is checked against the limits before
 * a pixel is decoded. Library errors come back as values: an error's class and fields do not
 * survive the trip out of a worker thread, its `code` and message do.
 */
export async function decodeDigit(image: string, limits: DecodeLimits): Promise<DecodeOutcome> {
  try {
    const rgba = await decodeImage(image, {
      maxSide: limits.maxSide,
      maxPixels: limits.maxSide * limits.maxSide,
      maxBytes: limits.maxBytes,
      allowFilePath: false,
    });
    return { pixels: preprocess(rgba, { maxSide: limits.maxSide }).pixels };
  } catch (error) {
    if (isCrazyDigitsError(error)) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}
