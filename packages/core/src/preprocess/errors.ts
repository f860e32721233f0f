import { CrazyDigitsError, errorWithCode } from '../errors/index.js';

/** The input is not an image this library can read: wrong shape, wrong data length, NaN, too small. */
export class InvalidImageError extends errorWithCode('INVALID_IMAGE') {}

/** The image is wider or taller than the configured limit (4096 px by default). */
export class ImageTooLargeError extends CrazyDigitsError<'IMAGE_TOO_LARGE'> {
  /** Width of the rejected image, in pixels. */
  readonly width: number;
  /** Height of the rejected image, in pixels. */
  readonly height: number;
  /** The limit that was exceeded, in pixels per side. */
  readonly maxSide: number;

  /** `message` says which limit was exceeded, when it is not the side (a subclass's). */
  constructor(
    width: number,
    height: number,
    maxSide: number,
    message = `image is ${width}x${height} px; the limit is ${maxSide} px per side`,
  ) {
    super('IMAGE_TOO_LARGE', message);
    this.width = width;
    this.height = height;
    this.maxSide = maxSide;
  }
}

/**
 * The image holds no digit: a blank or near-blank canvas (no ink, or only a speck).
 *
 * Thrown instead of guessing, so an app can show "draw a digit first" rather than a random answer.
 */
export class EmptyImageError extends CrazyDigitsError<'EMPTY_IMAGE'> {
  constructor(message = 'the image has no ink to read a digit from') {
    super('EMPTY_IMAGE', message);
  }
}
