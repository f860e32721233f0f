import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { LabelledDigit } from './types.js';

/** The digits' images, one after another, as a model batch takes them. */
export const imagesOf = (digits: readonly LabelledDigit[]) => {
  const images = new Float32Array(digits.length * MNIST_PIXELS);
  digits.forEach((digit, i) => {
    images.set(digit.image, i * MNIST_PIXELS);
  });
  return images;
};
