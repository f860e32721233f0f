import { DEFAULT_MAX_SIDE, type RgbaImage } from '@crazy-digits/core';
import { ImageTooLargeError, InvalidImageError } from '@crazy-digits/core/store-kit';
import {
  EncodedImageTooLargeError,
  ImageDecoderUnavailableError,
  ImageTooManyPixelsError,
  InvalidDecodeOptionsError,
  UnsupportedImageFormatError,
} from './errors.js';
import { readJpegHeader, readPngHeader } from './header.js';
import { checkJpegFrame, decodeJpeg } from './jpeg.js';
import { checkImageDataSize, decodePng } from './png.js';
import { decodeWithSharp, loadSharp } from './sharp.js';
import { sniffImageFormat } from './sniff.js';
import { readEncodedImage } from './source.js';

/** Default `maxPixels`: a 4096x4096 image, about 67 MB of RGBA. */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;
/** Default `maxBytes`: 10 MiB of encoded PNG or JPEG. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** Options for {@link decodeImage}. Every limit is checked before the image is decoded. */
export interface DecodeImageOptions {
  /** Largest accepted width or height, in pixels; larger gets `ImageTooLargeError`. Default 4096, core's `DEFAULT_MAX_SIDE`. */
  maxSide?: number;
  /** Largest accepted width × height; more gets `ImageTooLargeError` (`ImageTooManyPixelsError`). Default 4096 × 4096. */
  maxPixels?: number;
  /**
   * Largest accepted encoded size in bytes: the buffer, the file, or a base64 payload once
   * decoded. Larger gets `EncodedImageTooLargeError`. Default 10 MiB.
   */
  maxBytes?: number;
  /**
   * Whether a string that is neither a data URL nor bare base64 is read as a file path. Default
   * `true`; set `false` when the string comes from a client, so it can never name a server file.
   */
  allowFilePath?: boolean;
  /**
   * Which decoder turns the bytes into pixels once the limits are checked:
   * - `'auto'` (default): `'sharp'` when the optional `sharp` package is installed, else `'js'`;
   * - `'sharp'`: libpng/libjpeg-turbo through sharp, about half of it on libuv's thread pool
   *   rather than the calling thread, and about a third less CPU in all for a 280x280 canvas
   *   than `'js'`; `ImageDecoderUnavailableError` when sharp is not installed;
   * - `'js'`: pngjs and jpeg-js, pure JavaScript on the calling thread, installed with this package.
   *
   * PNGs decode to the same pixels either way (16-bit samples may round differently by one
   * level); JPEG decoders may differ by a few levels per pixel.
   */
  decoder?: ImageDecoder;
}

/** The decoders {@link decodeImage} can use: see {@link DecodeImageOptions.decoder}. */
export type ImageDecoder = 'auto' | 'sharp' | 'js';

/** PNG colour type 3: indexed colour. */
const PALETTE = 3;

const DECODERS: readonly ImageDecoder[] = ['auto', 'sharp', 'js'];

/** The decoder `decodeImage` uses for `decoder: 'auto'` here: `'sharp'` when it can be loaded. */
export async function defaultImageDecoder(): Promise<'sharp' | 'js'> {
  return (await loadSharp()) ? 'sharp' : 'js';
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidDecodeOptionsError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function checkDimensions(width: number, height: number, maxSide: number, maxPixels: number): void {
  if (width > maxSide || height > maxSide) throw new ImageTooLargeError(width, height, maxSide);
  if (width * height > maxPixels) throw new ImageTooManyPixelsError(width, height, maxSide, maxPixels);
}

/**
 * Decodes a PNG or JPEG into RGBA pixels, ready for `recognizer.predict` or `preprocess`.
 *
 * `input` is the encoded image as a `Buffer`/`Uint8Array`, or a string: a `data:image/png;base64,…`
 * or `data:image/jpeg;base64,…` URL; bare base64 of a PNG or JPEG (it starts with `iVBORw0KGgo`
 * or `/9j/` and holds only base64 characters and whitespace); anything else is a file path. The
 * format comes from the bytes' signature, never from a file extension or media type. The
 * encoded size and then the dimensions in the header are checked before any pixel is decoded.
 *
 * @throws `InvalidImageError` empty input, a malformed header, or a corrupt body (decoder error as `cause`)
 * @throws `UnsupportedImageFormatError` GIF, WebP, SVG, BMP…, unknown bytes, or a data URL of another type
 * @throws `ImageTooLargeError` a side over `maxSide` or (as `ImageTooManyPixelsError`) more than `maxPixels`
 * @throws `EncodedImageTooLargeError` more than `maxBytes` of encoded data
 * @throws `InvalidDataUrlError` a data URL without a comma or `;base64`, or with invalid base64
 * @throws `ImageFileError` a file path that cannot be opened or is not a regular file
 */
export async function decodeImage(
  input: Buffer | Uint8Array | string,
  options: DecodeImageOptions = {},
): Promise<RgbaImage> {
  const maxSide = positiveInteger(options.maxSide, DEFAULT_MAX_SIDE, 'maxSide');
  const maxPixels = positiveInteger(options.maxPixels, DEFAULT_MAX_PIXELS, 'maxPixels');
  const maxBytes = positiveInteger(options.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
  const decoder = options.decoder ?? 'auto';
  if (!DECODERS.includes(decoder)) {
    throw new InvalidDecodeOptionsError(`decoder must be 'auto', 'sharp' or 'js', got ${String(decoder)}`);
  }
  const sharp = decoder === 'js' ? undefined : await loadSharp();
  if (decoder === 'sharp' && !sharp) throw new ImageDecoderUnavailableError('sharp');
  const bytes = await readEncodedImage(input, { maxBytes, allowFilePath: options.allowFilePath ?? true });
  if (bytes.length === 0) throw new InvalidImageError('the image input is empty (0 bytes)');
  if (bytes.length > maxBytes) throw new EncodedImageTooLargeError(bytes.length, maxBytes);

  const format = sniffImageFormat(bytes);
  if (format === 'png') {
    const header = readPngHeader(bytes);
    checkDimensions(header.width, header.height, maxSide, maxPixels);
    // Palette PNGs (rare from canvases) go to pngjs, which refuses an index past the palette
    // where libpng quietly paints it black.
    if (!sharp || header.colorType === PALETTE) return decodePng(bytes, header);
    // libpng tolerates a short or overlong image data stream; one inflate, capped at the size
    // the header implies, refuses both before sharp sees the bytes.
    checkImageDataSize(bytes, header);
    return decodeWithSharp(sharp, bytes, header, maxPixels);
  }
  if (format === 'jpeg') {
    const header = readJpegHeader(bytes);
    checkDimensions(header.width, header.height, maxSide, maxPixels);
    if (!sharp) return decodeJpeg(bytes, header, maxPixels);
    checkJpegFrame(header);
    return decodeWithSharp(sharp, bytes, header, maxPixels);
  }
  throw new UnsupportedImageFormatError(
    format,
    format === 'unknown'
      ? 'the input is not a PNG or JPEG image (its first bytes match no known format)'
      : `${format} images are not supported; only PNG and JPEG are decoded`,
  );
}
