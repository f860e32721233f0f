export { EmptyImageError, ImageTooLargeError, InvalidImageError } from './errors.js';
export type { InkSource } from './ink.js';
export { type PreprocessedImage, type PreprocessInfo, preprocess, toImageData } from './preprocess.js';
export type { Rect } from './resample.js';
export type { ByteArray, GrayscaleImage, ImageInput, PreprocessOptions, RgbaImage } from './types.js';
export { DEFAULT_MAX_SIDE, MIN_SIDE, MNIST_PIXELS, MNIST_SIDE } from './validate.js';
