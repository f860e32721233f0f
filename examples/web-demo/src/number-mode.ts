import { createDrawingPad, type DrawingPad } from '@crazy-digits/browser-adapter';
import {
  isCrazyDigitsError,
  type NumberDigit,
  type NumberReading,
  type Recognizer,
  type Rect,
} from '@crazy-digits/core';
import { byId } from './dom.js';
import { createNumberView } from './number-view.js';
import { toast } from './toasts.js';

/** The number pad's height in CSS pixels at full size; strokes are as thick, relative to it, as on the digit pad. */
const FULL_HEIGHT = 280;
const LINE_WIDTH = 16;

/** What number mode acts through. */
export interface NumberModeOptions {
  /** The recogniser now serving (it changes when the page reopens it). */
  recognizer(): Recognizer;
  /** Quiet time after a stroke before reading, as in digit mode. */
  delay: number;
  /** Called after corrections were stored, so the page can show them. */
  corrected(): Promise<void>;
}

export interface NumberMode {
  readonly pad: DrawingPad;
  /** Reads the drawing again (new weights, a correction removed); nothing when the pad is empty. */
  refresh(): Promise<void>;
  /** Esc: closes the choice 0–9 if open, else clears the pad. */
  escape(): void;
  /** A digit key: corrects the digit being chosen; false when no choice is open. */
  key(digit: number): boolean;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The boxes a `NUMBER_LENGTH_MISMATCH` error carries. */
function mismatchOf(error: unknown): { expected: number; boxes: Rect[] } | undefined {
  if (!isCrazyDigitsError(error, 'NUMBER_LENGTH_MISMATCH')) return undefined;
  const { expected, boxes } = error as unknown as { expected: number; boxes: Rect[] };
  return { expected, boxes };
}

/**
 * Number mode: a wide pad, read with `recognizer.readNumber` once the pen has been quiet for
 * `delay`, each digit's box over the drawing, and corrections of one digit or of the whole number.
 * Create it once the card is shown: the strokes' width follows the pad's displayed height.
 */
export function createNumberMode(options: NumberModeOptions): NumberMode {
  const padCanvas = byId('number-pad', HTMLCanvasElement);
  const verdict = byId('number-verdict', HTMLDivElement);
  const form = byId('number-form', HTMLFormElement);
  const input = byId('number-input', HTMLInputElement);
  const recognizer = options.recognizer;

  const view = createNumberView({ correct: (digit, index, label) => void correctDigit(digit, index, label) });

  // As in digit mode: every change of the drawing gets a new revision, and a reading is shown only for the current one.
  let revision = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const height = padCanvas.clientHeight || FULL_HEIGHT;
  const pad = createDrawingPad(padCanvas, {
    lineWidth: Math.max(6, Math.round((LINE_WIDTH * height) / FULL_HEIGHT)),
    onChange: () => {
      revision++;
      padCanvas.dataset.revision = String(revision);
      if (timer !== undefined) clearTimeout(timer);
      if (pad.isEmpty) {
        view.clear('Cleared. Write a number to see it read.');
        markSettled();
      } else {
        view.hideBoxes();
        timer = setTimeout(() => void read(), options.delay);
      }
    },
  });

  /** Tells tests (and styles) which drawing the shown reading belongs to. */
  const markSettled = () => {
    verdict.dataset.revision = String(revision);
  };

  async function read(note?: (reading: NumberReading) => string): Promise<void> {
    const asked = revision;
    if (pad.isEmpty) return;
    const image = pad.getImageData();
    try {
      const reading = await recognizer().readNumber(image);
      if (asked !== revision) return;
      view.show(reading, image, note?.(reading));
    } catch (error) {
      if (asked !== revision) return;
      if (isCrazyDigitsError(error, 'EMPTY_IMAGE')) view.clear('Nothing to read yet: draw a bit more.');
      else view.clear(`Could not read the drawing: ${errorText(error)}`);
    }
    markSettled();
  }

  async function correctDigit(digit: NumberDigit, index: number, label: number): Promise<void> {
    try {
      // The digit as the model saw it (28x28): the correction is about this digit, not the whole drawing.
      await recognizer().correct(digit.preprocessed.pixels, label);
    } catch (error) {
      toast(`Could not store the correction: ${errorText(error)}`, 'error');
      return;
    }
    await read((reading) => {
      const now = reading.digits[index]?.digit;
      return now === label
        ? `Got it: digit ${index + 1} is a ${label}, so it reads ${reading.text}. Stored, and it counts from now on.`
        : `Stored as a ${label}, but digit ${index + 1} still reads as ${now ?? 'something else'}: ${reading.text}.`;
    });
    await options.corrected();
  }

  async function correctNumber(text: string): Promise<void> {
    if (pad.isEmpty) {
      toast('Write a number first, then type what it is.', 'info');
      return;
    }
    if (!/^[0-9]+$/.test(text)) {
      toast('Type the number with the digits 0–9 only.', 'info');
      input.focus();
      return;
    }
    const asked = revision;
    const image = pad.getImageData();
    let ids: string[];
    try {
      ({ ids } = await recognizer().correctNumber(image, text));
    } catch (error) {
      const mismatch = mismatchOf(error);
      if (mismatch && asked === revision) {
        view.mismatch(mismatch.expected, mismatch.boxes, image);
        markSettled();
      } else if (!mismatch) {
        toast(`Could not store the correction: ${errorText(error)}`, 'error');
      }
      return;
    }
    await read((reading) => {
      if (ids.length === 0) return `It already reads ${reading.text}: nothing to correct.`;
      const stored = `${ids.length} correction${ids.length === 1 ? '' : 's'} stored`;
      return reading.text === text
        ? `Got it: that's ${text}. ${stored}, and they count from now on.`
        : `${stored} for ${text}, but the drawing now reads ${reading.text}.`;
    });
    await options.corrected();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void correctNumber(input.value.trim());
  });
  byId('number-clear', HTMLButtonElement).addEventListener('click', () => pad.clear());
  byId('number-undo', HTMLButtonElement).addEventListener('click', () => pad.undo());

  return {
    pad,
    refresh: () => read(),
    escape() {
      if (view.choosing !== undefined) view.closeChooser();
      else pad.clear();
    },
    key: (digit) => view.choose(digit),
  };
}
