import * as tf from '@tensorflow/tfjs';
import { type ImageInput, InvalidImageError } from '../preprocess/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { NODE_DECODING, readDomSource } from './dom-source.js';
import type { RecognizerInput } from './types.js';

const MNIST_SHAPES = ['28,28', '28,28,1', '1,28,28,1', '784'];

/** The 784 values of an MNIST-style tensor, read now (the caller may dispose it once this returns). */
function tensorPixels(input: tf.Tensor): Float32Array {
  if (!MNIST_SHAPES.includes(input.shape.join(','))) {
    throw new InvalidImageError(
      `a tensor must be an MNIST-style 28x28 image (shape [28,28], [28,28,1], [1,28,28,1] or [784]), got [${input.shape}]`,
    );
  }
  if (input.dtype !== 'float32') throw new InvalidImageError(`a tensor must be float32, got ${input.dtype}`);
  if (input.isDisposed) throw new InvalidImageError('the tensor has been disposed');
  return Float32Array.from(input.dataSync().subarray(0, MNIST_PIXELS));
}

/**
 * Reads any recogniser input into what `preprocess` reads: a DOM source into its RGBA pixels,
 * a tensor into its 784 values; other input is passed on, for `preprocess` to check. Everything
 * but a `Blob` is read before this returns, so the caller may change or dispose the input while
 * the promise is pending.
 */
export function readInput(input: RecognizerInput, maxSide: number): ImageInput | Promise<ImageInput> {
  if (input instanceof tf.Tensor) return tensorPixels(input);
  if (input instanceof Float32Array) return input;
  // Core reads pixels, never a file format: say what to do with the bytes of a PNG or JPEG.
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    throw new InvalidImageError(
      `bytes are not pixels: pass { data, width, height }, or decode an encoded image first (${NODE_DECODING}; in a browser, new Blob([bytes]))`,
    );
  }
  return (
    (typeof input === 'object' && input !== null && readDomSource(input, maxSide)) || (input as ImageInput)
  );
}

/**
 * Reads several inputs (see {@link readInput}): every one but a `Blob` before this returns, so
 * at the moment of the call. Rejects with the first failure.
 */
export function readInputs(inputs: readonly RecognizerInput[], maxSide: number): Promise<ImageInput[]> {
  return Promise.all(
    inputs.map((input) => {
      try {
        return readInput(input, maxSide);
      } catch (error) {
        return Promise.reject(error);
      }
    }),
  );
}
