import * as tf from '@tensorflow/tfjs';
import {
  InvalidImageError,
  type PreprocessedImage,
  type PreprocessOptions,
  preprocess,
} from '../preprocess/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { RecognizerInput } from './types.js';

const MNIST_SHAPES = ['28,28', '28,28,1', '1,28,28,1', '784'];

/** Normalises any recogniser input to the 28x28 image the model reads. */
export function toModelInput(input: RecognizerInput, options: PreprocessOptions): PreprocessedImage {
  if (input instanceof tf.Tensor) {
    if (!MNIST_SHAPES.includes(input.shape.join(','))) {
      throw new InvalidImageError(
        `a tensor must be an MNIST-style 28x28 image (shape [28,28], [28,28,1], [1,28,28,1] or [784]), got [${input.shape}]`,
      );
    }
    if (input.dtype !== 'float32')
      throw new InvalidImageError(`a tensor must be float32, got ${input.dtype}`);
    if (input.isDisposed) throw new InvalidImageError('the tensor has been disposed');
    const values = input.dataSync();
    return preprocess(Float32Array.from(values.subarray(0, MNIST_PIXELS)), options);
  }
  return preprocess(input, options);
}
