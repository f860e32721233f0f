export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PIXELS,
  type DecodeImageOptions,
  decodeImage,
  defaultImageDecoder,
  type ImageDecoder,
} from './decode-image.js';
export {
  EncodedImageTooLargeError,
  ImageDecoderUnavailableError,
  ImageFileError,
  ImageTooManyPixelsError,
  InvalidDataUrlError,
  InvalidDecodeOptionsError,
  UnsupportedImageFormatError,
} from './errors.js';
