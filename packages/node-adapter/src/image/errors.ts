import { CrazyDigitsError } from '@crazy-digits/core';
import { errorWithCode, ImageTooLargeError } from '@crazy-digits/core/store-kit';

/**
 * The bytes are an image format `decodeImage` does not read (GIF, WebP, SVG, BMP, …), or no
 * known image format at all. Only PNG and JPEG are decoded.
 */
export class UnsupportedImageFormatError extends CrazyDigitsError<'UNSUPPORTED_IMAGE_FORMAT'> {
  /**
   * What the input was recognised as: a format the magic bytes name (`'gif'`, `'webp'`, `'svg'`,
   * … or `'unknown'`), or a data URL's media type (`'image/gif'`).
   */
  readonly format: string;

  constructor(format: string, message: string) {
    super('UNSUPPORTED_IMAGE_FORMAT', message);
    this.format = format;
  }
}

/** An option of `decodeImage` out of range: a limit that is not a positive integer, an unknown decoder. */
export class InvalidDecodeOptionsError extends errorWithCode('INVALID_OPTIONS') {}

/** A `data:` URL or a bare base64 string that cannot be read: no comma, not base64, bad characters. */
export class InvalidDataUrlError extends errorWithCode('INVALID_DATA_URL') {}

/** The encoded input (file, buffer, or base64 payload once decoded) is larger than `maxBytes`. */
export class EncodedImageTooLargeError extends CrazyDigitsError<'ENCODED_IMAGE_TOO_LARGE'> {
  /** Size of the input in bytes, or a lower bound on it when the input was rejected unread. */
  readonly bytes: number;
  /** The limit that was exceeded, in bytes. */
  readonly maxBytes: number;

  constructor(bytes: number, maxBytes: number) {
    super('ENCODED_IMAGE_TOO_LARGE', `the encoded image is ${bytes} bytes or more; the limit is ${maxBytes}`);
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/**
 * The image has more pixels than `maxPixels`, though each side is within `maxSide`. A subclass
 * of core's `ImageTooLargeError`, so it shares the `IMAGE_TOO_LARGE` code callers already handle.
 */
export class ImageTooManyPixelsError extends ImageTooLargeError {
  /** The limit that was exceeded, in pixels (width × height). */
  readonly maxPixels: number;

  constructor(width: number, height: number, maxSide: number, maxPixels: number) {
    super(
      width,
      height,
      maxSide,
      `image is ${width}x${height} = ${width * height} px; the limit is ${maxPixels} px`,
    );
    this.maxPixels = maxPixels;
  }
}

/** A file path could not be read: missing, not a regular file, no permission. The fs error is the `cause`. */
export class ImageFileError extends CrazyDigitsError<'IMAGE_FILE_UNREADABLE'> {
  /** The path as given. */
  readonly path: string;

  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super('IMAGE_FILE_UNREADABLE', message, options);
    this.path = path;
  }
}

/** `decodeImage` was asked for a decoder that cannot be loaded here: `decoder: 'sharp'` without sharp installed. */
export class ImageDecoderUnavailableError extends CrazyDigitsError<'IMAGE_DECODER_UNAVAILABLE'> {
  /** The decoder that was asked for. */
  readonly decoder: string;

  constructor(decoder: string) {
    super(
      'IMAGE_DECODER_UNAVAILABLE',
      `the ${decoder} image decoder is not installed (npm install ${decoder}); use decoder: 'auto' or 'js'`,
    );
    this.decoder = decoder;
  }
}
