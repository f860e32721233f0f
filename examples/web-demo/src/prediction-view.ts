import type { Prediction } from '@crazy-digits/core';
import { byId, h, percent } from './dom.js';
import { paintDigit } from './pixels.js';

/** The prediction card: the digit, its confidence, the "not sure" state, the bars and the 28x28 preview. */
export interface PredictionView {
  /** Shows a prediction; `note` replaces the spoken summary (e.g. after a correction). */
  show(prediction: Prediction, note?: string): void;
  /** Back to "nothing drawn", with a message. */
  clear(message: string): void;
}

export function createPredictionView(): PredictionView {
  const verdict = byId('verdict', HTMLDivElement);
  const digit = byId('prediction', HTMLSpanElement);
  const confidence = byId('confidence', HTMLSpanElement);
  const unsure = byId('uncertain', HTMLSpanElement);
  const summary = byId('summary', HTMLParagraphElement);
  const preview = byId('preview', HTMLCanvasElement);
  const rows = Array.from({ length: 10 }, (_, d) => {
    const fill = h('span', { class: 'fill' });
    const value = h('span', { class: 'value' }, '');
    const row = h(
      'li',
      { 'data-digit': String(d) },
      h('span', { class: 'label' }, String(d)),
      h('span', { class: 'track', 'aria-hidden': 'true' }, fill),
      value,
    );
    return { row, fill, value };
  });
  byId('bars', HTMLOListElement).append(...rows.map((r) => r.row));

  const paintBars = (probabilities: readonly number[], top: number | undefined) => {
    rows.forEach(({ row, fill, value }, d) => {
      const p = probabilities[d] ?? 0;
      fill.style.setProperty('--p', percent(p));
      value.textContent = probabilities.length > 0 ? percent(p) : '';
      row.toggleAttribute('data-top', d === top);
    });
  };

  return {
    show(prediction, note) {
      const state = prediction.uncertain ? 'uncertain' : 'sure';
      verdict.dataset.state = state;
      digit.textContent = String(prediction.digit);
      confidence.textContent = percent(prediction.confidence);
      unsure.hidden = !prediction.uncertain;
      paintBars(prediction.probabilities, prediction.digit);
      paintDigit(preview, prediction.preprocessed.pixels);
      summary.textContent =
        note ??
        (prediction.uncertain
          ? `Not sure: this may not be a digit. Best guess ${prediction.digit}, ${percent(prediction.confidence)}.`
          : `It's a ${prediction.digit}, ${percent(prediction.confidence)} sure.`);
    },
    clear(message) {
      verdict.dataset.state = 'empty';
      digit.textContent = '';
      confidence.textContent = '';
      unsure.hidden = true;
      paintBars([], undefined);
      preview.getContext('2d')?.clearRect(0, 0, preview.width, preview.height);
      summary.textContent = message;
    },
  };
}
