import type { ImageInput } from '../preprocess/index.js';
import { type Classify, readNumber } from './read-number.js';
import { NumberLengthMismatchError } from './types.js';

/** Makes one digit image an ordinary correction, and returns its id. */
export type CorrectDigit = (pixels: Float32Array, label: number) => Promise<string>;

/**
 * Readings checked after correcting. Corrections change how confidently pieces read, so a fresh
 * reading may split the drawing differently from the one corrected; each round corrects the
 * digits that the next reading still gets wrong.
 */
const ROUNDS = 3;

/**
 * Corrects a drawn number to `text`: the drawing is read as `text.length` digits, and each
 * digit read wrong becomes an ordinary correction; then it is read again as a caller would (no
 * length given), and while that reading has the right length but wrong digits, those are
 * corrected too, so the drawing reads as corrected at once.
 */
export async function correctNumber(
  classify: Classify,
  correct: CorrectDigit,
  input: ImageInput,
  text: string,
  maxSide: number,
): Promise<{ ids: string[] }> {
  let reading = await readNumber(classify, input, { digits: text.length }, maxSide);
  if (reading.digits.length !== text.length) {
    throw new NumberLengthMismatchError(
      text.length,
      reading.digits.map((d) => d.box),
    );
  }
  const ids: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, digit] of reading.digits.entries()) {
      const label = Number(text[i]);
      if (digit.digit !== label) ids.push(await correct(digit.preprocessed.pixels, label));
    }
    reading = await readNumber(classify, input, {}, maxSide);
    if (reading.text === text || reading.digits.length !== text.length) break;
  }
  return { ids };
}
