import type { NumberDigit, NumberReading, Rect } from '@crazy-digits/core';
import { createDigitButtons } from './digit-buttons.js';
import { byId, h, percent } from './dom.js';
import { paintDigit } from './pixels.js';

/** The size of the image a reading was made from (the pad's backing store), to place boxes on the pad. */
export interface ImageSize {
  width: number;
  height: number;
}

/** The number card: the text read, its confidence, the boxes over the pad and the per-digit choice. */
export interface NumberView {
  /** Shows a reading of an image `size` big; `note` replaces the spoken summary (e.g. after a correction). */
  show(reading: NumberReading, size: ImageSize, note?: string): void;
  /**
   * The drawing could not be split into `expected` digits: says so and highlights the `boxes`
   * found instead. The reading shown stays, and its digits can still be corrected one by one.
   */
  mismatch(expected: number, boxes: readonly Rect[], size: ImageSize): void;
  /** Back to "nothing read", with a message. */
  clear(message: string): void;
  /** Takes the boxes off the pad (the drawing changed, they no longer match it). */
  hideBoxes(): void;
  /** The digit being corrected, when the choice 0–9 is open. */
  readonly choosing: number | undefined;
  /** Closes the choice 0–9. */
  closeChooser(): void;
  /** Picks `label` for the digit being corrected, as a tap on its button does (the keys 0–9). */
  choose(label: number): boolean;
}

export interface NumberViewOptions {
  /** The user picked `label` for the reading's digit at `index`. */
  correct(digit: NumberDigit, index: number, label: number): void;
}

const share = (part: number, whole: number) => `${((part / whole) * 100).toFixed(3)}%`;

/** Puts `element` over the part of the pad where `box` (in image pixels) is. */
function place(element: HTMLElement, box: Rect, size: ImageSize): void {
  element.style.left = share(box.x, size.width);
  element.style.top = share(box.y, size.height);
  element.style.width = share(box.width, size.width);
  element.style.height = share(box.height, size.height);
  // The label goes above the box, or below it, or inside when the digit fills the pad's height.
  const above = box.y / size.height;
  const below = 1 - (box.y + box.height) / size.height;
  element.dataset.label = above >= 0.12 ? 'above' : below >= 0.12 ? 'below' : 'inside';
}

export function createNumberView(options: NumberViewOptions): NumberView {
  const verdict = byId('number-verdict', HTMLDivElement);
  const text = byId('number-text', HTMLSpanElement);
  const confidence = byId('number-confidence', HTMLSpanElement);
  const summary = byId('number-summary', HTMLParagraphElement);
  const overlay = byId('number-boxes', HTMLDivElement);
  const chooser = byId('number-chooser', HTMLDivElement);
  const chooserTitle = byId('number-chooser-title', HTMLParagraphElement);
  const chooserPreview = byId('number-chooser-preview', HTMLCanvasElement);

  let reading: NumberReading | undefined;
  let choosing: number | undefined;

  const buttons = createDigitButtons(
    byId('number-digit-buttons', HTMLDivElement),
    (label) => void view.choose(label),
    { testId: 'number-correct' },
  );
  byId('number-chooser-cancel', HTMLButtonElement).addEventListener('click', () => view.closeChooser());

  function open(index: number): void {
    const digit = reading?.digits[index];
    if (!reading || !digit) return;
    choosing = index;
    for (const [i, box] of Array.from(overlay.children).entries())
      box.toggleAttribute('data-selected', i === index);
    chooserTitle.textContent =
      `Digit ${index + 1} of ${reading.digits.length}, read as ${digit.digit} ` +
      `(${percent(digit.confidence)}). It is a…`;
    paintDigit(chooserPreview, digit.preprocessed.pixels);
    chooser.hidden = false;
    buttons[digit.digit]?.focus();
  }

  /** One outlined box per digit, with a label to tap: the digit and its probability, or its place. */
  function drawBoxes(boxes: readonly Rect[], size: ImageSize, kind: 'read' | 'found'): void {
    overlay.replaceChildren(
      ...boxes.map((box, index) => {
        const digit = kind === 'read' ? reading?.digits[index] : undefined;
        // A found box can be corrected when the reading shown has the same digits.
        const correctable = kind === 'read' || reading?.digits.length === boxes.length;
        const shown = reading?.digits[index];
        const label = h(
          'button',
          {
            type: 'button',
            class: 'number-box-label',
            'data-testid': `number-digit-${index}`,
            'aria-label': digit
              ? `Digit ${index + 1}: ${digit.digit}, ${percent(digit.confidence)}. Correct it`
              : `Digit ${index + 1} found${shown ? `, read as ${shown.digit}. Correct it` : ''}`,
          },
          digit ? `${digit.digit} · ${percent(digit.confidence)}` : `#${index + 1}`,
        );
        label.disabled = !correctable;
        label.addEventListener('click', () => open(index));
        const element = h(
          'div',
          { class: 'number-box', 'data-testid': 'number-box', 'data-kind': kind },
          label,
        );
        if (digit?.uncertain) element.dataset.uncertain = 'true';
        place(element, box, size);
        return element;
      }),
    );
  }

  const view: NumberView = {
    show(next, size, note) {
      reading = next;
      view.closeChooser();
      verdict.dataset.state = next.digits.some((d) => d.uncertain) ? 'uncertain' : 'sure';
      text.textContent = next.text;
      confidence.textContent = percent(next.confidence);
      drawBoxes(
        next.digits.map((d) => d.box),
        size,
        'read',
      );
      const n = next.digits.length;
      summary.textContent =
        note ??
        `It reads ${next.text}: ${n} digit${n === 1 ? '' : 's'}, ${percent(next.confidence)} sure of the whole ` +
          'number. Tap a digit on the pad to correct it.';
    },
    mismatch(expected, boxes, size) {
      view.closeChooser();
      verdict.dataset.state = 'mismatch';
      drawBoxes(boxes, size, 'found');
      const n = boxes.length;
      summary.textContent =
        `I found ${n} digit${n === 1 ? '' : 's'}, not ${expected}: write them apart, ` +
        'or correct them one by one (tap a box).';
    },
    clear(message) {
      reading = undefined;
      view.closeChooser();
      verdict.dataset.state = 'empty';
      text.textContent = '';
      confidence.textContent = '';
      overlay.replaceChildren();
      summary.textContent = message;
    },
    hideBoxes() {
      view.closeChooser();
      overlay.replaceChildren();
    },
    get choosing() {
      return choosing;
    },
    closeChooser() {
      choosing = undefined;
      chooser.hidden = true;
      for (const box of overlay.children) box.removeAttribute('data-selected');
    },
    choose(label) {
      const index = choosing;
      const digit = index === undefined ? undefined : reading?.digits[index];
      if (index === undefined || !digit) return false;
      view.closeChooser();
      options.correct(digit, index, label);
      return true;
    },
  };
  return view;
}
