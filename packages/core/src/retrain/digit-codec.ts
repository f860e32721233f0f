import { CrazyDigitsError } from '../errors/index.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';

/** The bundled digits could not be decoded: the embedded data is damaged. */
export class DigitCodecError extends CrazyDigitsError<'DIGIT_CODEC'> {
  constructor(message: string) {
    super('DIGIT_CODEC', message);
  }
}

/**
 * A compact encoding of MNIST-style digits, so that a few thousand of them can ship inside the
 * package. Pixels are quantised to 16 levels (invisible to the model: its accuracy on them is
 * unchanged) and most of a digit is background, so the stream is tokens of one byte:
 * `0x00–0x7f` is a run of 1–128 background pixels, `0x81–0x8f` one ink pixel of level 1–15.
 * About 180 bytes per digit instead of 784.
 */
const LEVELS = 15;
const LITERAL = 0x80;
const MAX_RUN = 128;

/** Encodes `images` (n x 784 values 0–1) as tokens. */
export function encodeDigits(images: Float32Array): Uint8Array {
  const out: number[] = [];
  let run = 0;
  const flush = () => {
    while (run > 0) {
      const length = Math.min(run, MAX_RUN);
      out.push(length - 1);
      run -= length;
    }
  };
  for (let start = 0; start < images.length; start += MNIST_PIXELS) {
    for (let i = start; i < start + MNIST_PIXELS; i++) {
      const level = Math.round(Math.min(1, Math.max(0, images[i] ?? 0)) * LEVELS);
      if (level === 0) {
        run++;
        continue;
      }
      flush();
      out.push(LITERAL | level);
    }
    flush(); // runs never cross digits, so any digit can be decoded on its own
  }
  return Uint8Array.from(out);
}

/** Decodes `count` digits encoded by {@link encodeDigits}. Throws `DigitCodecError` on damage. */
export function decodeDigits(bytes: Uint8Array, count: number): Float32Array {
  const images = new Float32Array(count * MNIST_PIXELS);
  let at = 0;
  for (const token of bytes) {
    if (token < LITERAL) at += token + 1;
    else images[at++] = (token & 0x0f) / LEVELS;
    if (at > images.length) break;
  }
  if (at !== images.length)
    throw new DigitCodecError(`expected ${images.length} pixels, the data holds ${at}`);
  return images;
}
