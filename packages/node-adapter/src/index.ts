/**
 * Node.js adapter for `@crazy-digits/core`: safe image decoding for servers (`decodeImage`) and
 * multi-core training with `worker_threads`. The file-backed `CorrectionStore` and `ModelStore`
 * are added here as they land (see the package README).
 *
 * @packageDocumentation
 */
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PIXELS,
  type DecodeImageOptions,
  decodeImage,
  EncodedImageTooLargeError,
  ImageFileError,
  ImageTooManyPixelsError,
  InvalidDataUrlError,
  UnsupportedImageFormatError,
} from './image/index.js';
export {
  createWorkerThreadsGradientPool,
  type WorkerThreadsGradientPoolOptions,
} from './training/index.js';
