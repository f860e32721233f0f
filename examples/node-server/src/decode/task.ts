import { isCrazyDigitsError, preprocess, type RgbaImage } from '@crazy-digits/core';
import { decodeImage } from '@crazy-digits/node-adapter';

/** Limits of one decode, from the server's configuration. */
export interface DecodeLimits {
  maxSide: number;
  maxBytes: number;
}

/** What a decode makes of the image: the 28x28 digit `predict` takes, or the whole picture. */
export type DecodeKind = 'digit' | 'image';

/** A decoded picture, RGBA, as `readNumber` takes it. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The error that refused an image. */
export type DecodeRefusal = { error: { code: string; message: string } };

/** A decoded, preprocessed digit, or the error that refused the image. */
export type DecodeOutcome = { pixels: Float32Array } | DecodeRefusal;

/** A decoded picture, or the error that refused the image. */
export type ImageDecodeOutcome = { image: DecodedImage } | DecodeRefusal;

const PNG_BASE64 = 'iVBORw0KGgo';
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * The bytes a PNG inflates to, from its header, or a refusal: 16-bit samples (a canvas never
 * makes them, and they double what a side allows), or more than 8-bit RGBA at the largest side.
 * It reads the first 33 bytes of the base64 only, so nothing large is decoded or allocated.
 */
function refusePngHeader(image: string, maxSide: number): DecodeRefusal | undefined {
  const comma = image.startsWith('data:') ? image.indexOf(',') + 1 : 0;
  const start = image.slice(comma, comma + 64).trimStart();
  if (!start.startsWith(PNG_BASE64)) return undefined;
  const header = Buffer.from(start.slice(0, 44), 'base64');
  if (header.length < 29) return undefined; // the library refuses a truncated header
  const width = header.readUInt32BE(16);
  const height = header.readUInt32BE(20);
  const bitDepth = header[24] ?? 0;
  const channels = CHANNELS[header[25] ?? 0] ?? 4;
  if (bitDepth > 8)
    return { error: { code: 'UNSUPPORTED_IMAGE_DEPTH', message: '16-bit PNGs are not accepted' } };
  const inflated = height * (1 + Math.ceil((width * channels * bitDepth) / 8));
  if (inflated > maxSide * (1 + maxSide * 4))
    return { error: { code: 'IMAGE_TOO_LARGE', message: 'the image is larger than the server accepts' } };
  return undefined;
}

/**
 * Runs `use` on the RGBA pixels of a client's image string. The image is never a file path
 * (`allowFilePath: false`) and its header is checked against the limits before a pixel is
 * decoded: a side over `maxSide`, or more than its square in pixels, is refused (so a wide number
 * canvas, 840x280, passes under the default 1024). Library errors come back as values: an
 * error's class and fields do not survive the trip out of a worker thread, its `code` does.
 */
async function decoded<T>(
  image: string,
  limits: DecodeLimits,
  use: (rgba: RgbaImage) => T,
): Promise<T | DecodeRefusal> {
  const refusal = refusePngHeader(image, limits.maxSide);
  if (refusal) return refusal;
  try {
    const rgba = await decodeImage(image, {
      maxSide: limits.maxSide,
      maxPixels: limits.maxSide * limits.maxSide,
      maxBytes: limits.maxBytes,
      allowFilePath: false,
    });
    return use(rgba);
  } catch (error) {
    if (isCrazyDigitsError(error)) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

/** Client image string → the 28x28 MNIST-style digit `predict` and `correct` take. */
export function decodeDigit(image: string, limits: DecodeLimits): Promise<DecodeOutcome> {
  return decoded(image, limits, (rgba) => ({ pixels: preprocess(rgba, { maxSide: limits.maxSide }).pixels }));
}

/** Client image string → the whole picture, RGBA, as `readNumber` and `correctNumber` take it. */
export function decodePicture(image: string, limits: DecodeLimits): Promise<ImageDecodeOutcome> {
  // A copy of exactly the pixels: the decoder's buffer may be a view of a larger one, which a
  // worker thread would otherwise send whole.
  return decoded(image, limits, ({ data, width, height }) => ({
    image: { data: new Uint8Array(data), width, height },
  }));
}
