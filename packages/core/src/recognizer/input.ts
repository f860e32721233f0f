import * as tf from '@tensorflow/tfjs';
import { type ImageInput, InvalidImageError } from '../preprocess/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { domSourceOf, readDomSource } from './dom-source.js';
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

/** The first bytes of a PNG and of a JPEG. */
const SIGNATURES: [string, number[]][] = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG', [0xff, 0xd8, 0xff]],
];

/**
 * Bytes on their own are not pixels: core reads no file format. Say what to do with an encoded
 * image, and what a bare pixel array lacks.
 */
function refuseBytes(input: ArrayBufferView | ArrayBuffer): never {
  const bytes = ArrayBuffer.isView(input)
    ? new Uint8Array(input.buffer, input.byteOffset, Math.min(input.byteLength, 4))
    : new Uint8Array(input, 0, Math.min(input.byteLength, 4));
  const format = SIGNATURES.find(([, signature]) => signature.every((byte, i) => bytes[i] === byte))?.[0];
  if (format) {
    throw new InvalidImageError(
      `these are the bytes of an encoded ${format} image, which core does not decode: in Node, decode them with decodeImage from @crazy-digits/node-adapter (predict(await decodeImage(bytes))); in a browser, pass new Blob([bytes])`,
    );
  }
  throw new InvalidImageError(
    'a bare typed array is not an image: pass { data, width, height } (RGBA, or channels: 1 for grayscale), an ImageData or a canvas',
  );
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
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) refuseBytes(input);
  const dom = domSourceOf(input);
  return dom ? readDomSource(dom, maxSide) : (input as ImageInput);
}

/**
 * Reads several inputs (see {@link readInput}): every one but a `Blob` before the first `await`,
 * so at the moment of the call. Rejects with the first failure.
 */
export async function readInputs(inputs: readonly RecognizerInput[], maxSide: number): Promise<ImageInput[]> {
  const read: (ImageInput | Promise<ImageInput>)[] = [];
  try {
    for (const input of inputs) read.push(readInput(input, maxSide));
  } catch (error) {
    // Blobs already being decoded are not waited for; their failures are not unhandled.
    for (const pending of read) if (pending instanceof Promise) pending.catch(() => {});
    throw error;
  }
  return Promise.all(read);
}
