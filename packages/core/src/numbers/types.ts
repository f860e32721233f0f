import { CrazyDigitsError } from '../errors/index.js';
import type { Rect } from '../preprocess/index.js';
import type { Prediction } from '../recognizer/types.js';

/** Options for `recognizer.readNumber`. */
export interface ReadNumberOptions {
  /**
   * How many digits the number has, when the caller knows (a PIN has 4), or a range. The
   * reading then has that many digits whenever the drawing can be split so; when it cannot, the
   * best reading is returned with `confidence` 0.
   */
  digits?: number | { min?: number; max?: number };
}

/** One digit of a reading: a prediction, and where the digit is in the input. */
export interface NumberDigit extends Prediction {
  /** The digit's ink box in input pixels. */
  box: Rect;
}

/** What `recognizer.readNumber` read. */
export interface NumberReading {
  /** The digits read, left to right, e.g. `"2026"`. */
  text: string;
  /** Probability that the whole reading is right: the product of the digits' confidences. */
  confidence: number;
  /** Each digit, left to right. */
  digits: NumberDigit[];
}

/**
 * `correctNumber` was given a number with more or fewer digits than the drawing could be split
 * into. `boxes` are the digits found, so a UI can ask the user which to join or split.
 */
export class NumberLengthMismatchError extends CrazyDigitsError<'NUMBER_LENGTH_MISMATCH'> {
  /** How many digits the given number has. */
  readonly expected: number;
  /** The boxes of the digits found, left to right, in input pixels. */
  readonly boxes: Rect[];

  constructor(expected: number, boxes: Rect[]) {
    super(
      'NUMBER_LENGTH_MISMATCH',
      `the number has ${expected} digits but the drawing splits into ${boxes.length}`,
    );
    this.expected = expected;
    this.boxes = boxes;
  }
}
