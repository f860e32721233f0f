import { correlation, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { describe, expect, it } from 'vitest';
import { createAugmenter, DEFAULT_AUGMENT } from '../src/training/augment.js';
import { seededRandom } from '../src/training/random.js';

const mnist = loadMnist('test', 200);

describe('createAugmenter', () => {
  it('is reproducible from its seed', () => {
    const a = createAugmenter(seededRandom(7));
    const b = createAugmenter(seededRandom(7));
    for (let i = 0; i < 5; i++)
      expect(a.augment(mnistDigit(mnist, i))).toEqual(b.augment(mnistDigit(mnist, i)));
  });

  it('leaves a digit as it was when every distortion is off', () => {
    const augmenter = createAugmenter(seededRandom(1), {
      rotation: 0,
      aspect: 0,
      shear: 0,
      thickness: 0,
      elastic: 0,
      share: 1,
    });
    for (let i = 0; i < 20; i++) {
      expect(correlation(augmenter.augment(mnistDigit(mnist, i)), mnistDigit(mnist, i))).toBeGreaterThan(
        0.98,
      );
    }
  });

  it('distorts, but keeps the digit recognisable and MNIST-normalised', () => {
    const augmenter = createAugmenter(seededRandom(2), { ...DEFAULT_AUGMENT, share: 1 });
    let total = 0;
    let identical = 0;
    for (let i = 0; i < mnist.count; i++) {
      const original = mnistDigit(mnist, i);
      const out = augmenter.augment(original);
      expect(out).toHaveLength(784);
      expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
      const c = correlation(out, original);
      total += c;
      if (c > 0.999) identical++;
    }
    const mean = total / mnist.count;
    expect(mean).toBeGreaterThan(0.6);
    expect(mean).toBeLessThan(0.95);
    expect(identical).toBeLessThan(5);
  });

  it('distorts only its share of the digits and passes the rest through unchanged', () => {
    const augmenter = createAugmenter(seededRandom(4), { ...DEFAULT_AUGMENT, share: 0.3 });
    let unchanged = 0;
    for (let i = 0; i < mnist.count; i++) {
      const digit = mnistDigit(mnist, i);
      if (augmenter.augment(digit).every((v, j) => v === digit[j])) unchanged++;
    }
    expect(unchanged / mnist.count).toBeGreaterThan(0.6);
    expect(unchanged / mnist.count).toBeLessThan(0.8);
  });

  it('does not modify its input', () => {
    const digit = mnistDigit(mnist, 3);
    const copy = Float32Array.from(digit);
    createAugmenter(seededRandom(3)).augment(digit);
    expect(digit).toEqual(copy);
  });
});
