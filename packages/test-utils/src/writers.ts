import { seededRandom } from '@crazy-digits/core/training';
import { drawSample, type WriterImage } from './writer-sample.js';
import { pickStyle, type WriterStyle } from './writer-style.js';

/** One handwritten digit with its true label. */
export interface WrittenDigit {
  digit: number;
  image: WriterImage;
}

/** A simulated person with a consistent handwriting. Deterministic: same seeds, same pixels. */
export interface Writer {
  readonly seed: number;
  readonly style: WriterStyle;
  /** One sample of `digit` (0–9) on a 280x280 white canvas; `sampleSeed` picks the jitter. */
  draw(digit: number, sampleSeed: number): WriterImage;
  /** `count` samples, digits drawn uniformly at random from `seed`. */
  stream(count: number, seed: number): WrittenDigit[];
}

/** Mixes two seeds into one, so (writer, sample) pairs get independent random streams. */
const mix = (a: number, b: number) => Math.imul(a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b), 0xc2b2ae35) >>> 0;

/**
 * A simulated writer with a personal style picked from `seed`: slant, glyph width, pen width,
 * size and position habits, and one glyph form per digit (crossed 7s, open-top 4s, European 1s,
 * slashed 0s, flat-topped 3s, straight-stemmed 9s, looped 2s…). For each digit that has one, a
 * writer has a habit an MNIST-trained model tends to misread (at `CONFUSING_HABIT_RATE`), so
 * writers differ in how hard they are to read. Samples are drawn from stroke templates with
 * per-sample jitter, dark ink on a white 280x280 RGBA canvas.
 */
export function createWriter(seed: number): Writer {
  const style = pickStyle(seededRandom(mix(seed, 0x5717e)));
  const draw = (digit: number, sampleSeed: number) =>
    drawSample(style, digit, seededRandom(mix(seed, sampleSeed)));
  return {
    seed,
    style,
    draw,
    stream(count, streamSeed) {
      const random = seededRandom(mix(mix(seed, 0x57ea3), streamSeed));
      return Array.from({ length: count }, () => {
        const digit = Math.floor(random() * 10);
        const sampleSeed = Math.floor(random() * 2 ** 32);
        return { digit, image: draw(digit, sampleSeed) };
      });
    },
  };
}
