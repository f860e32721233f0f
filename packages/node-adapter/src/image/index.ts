export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PIXELS,
  type DecodeImageOptions,
  decodeImage,
} from './decode-image.js';
export {
  EncodedImageTooLargeError,
  ImageFileError,
  ImageTooManyPixelsError,
  InvalidDataUrlError,
  UnsupportedImageFormatError,
} from './errors.js';
