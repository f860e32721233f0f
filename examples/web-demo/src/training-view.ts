import type { CorrectionsByDigit, RetrainOutcome, RetrainProgress } from '@crazy-digits/core';
import { byId, h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
/** A chart's drawing area, in SVG user units (stretched to the card's width). */
const WIDTH = 300;
const HEIGHT = 60;
/** A step's loss swings with the digits it shows: the smoothed curve is the mean of this many. */
const WINDOW = 8;

/** The last consolidation: its losses as it runs, then how it reads your corrections. */
export interface TrainingView {
  /** A run began: new, empty curves. */
  start(): void;
  /** A progress event: adds its losses, if any, to the curves. */
  progress(progress: RetrainProgress): void;
  /** The run's verdict: the per-digit picture of the corrections before and after it. */
  finished(outcome: RetrainOutcome): void;
}

/** One loss over the steps of a run: a faint line of each step's value and a smoothed one. */
function lossChart(id: string, label: string) {
  const caption = byId(`${id}-caption`, HTMLElement);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  svg.dataset.testid = id;
  const [raw, smooth] = ['loss-raw', 'loss-smooth'].map((name) => {
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('class', name);
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
    return line;
  });
  byId(id, HTMLDivElement).append(svg);
  let points: { step: number; loss: number; smoothed: number }[] = [];
  let total = 1;

  const line = (value: (p: (typeof points)[number]) => number, top: number) =>
    points
      .map((p) => `${((WIDTH * p.step) / total).toFixed(1)},${(HEIGHT * (1 - value(p) / top)).toFixed(1)}`)
      .join(' ');

  function draw() {
    const top = Math.max(1e-6, ...points.map((p) => p.loss)) * 1.05;
    raw?.setAttribute(
      'points',
      line((p) => p.loss, top),
    );
    smooth?.setAttribute(
      'points',
      line((p) => p.smoothed, top),
    );
    svg.dataset.points = String(points.length);
    const [first, last] = [points[0], points.at(-1)];
    caption.textContent =
      first && last
        ? `${label}: ${last.smoothed.toFixed(3)} at step ${last.step} of ${total} (from ${first.smoothed.toFixed(3)})`
        : `${label}: no step yet`;
  }

  return {
    reset() {
      points = [];
      total = 1;
      draw();
    },
    add(step: number, totalSteps: number, loss: number) {
      total = totalSteps;
      const recent = [...points.slice(1 - WINDOW).map((p) => p.loss), loss];
      points.push({ step, loss, smoothed: recent.reduce((sum, v) => sum + v, 0) / recent.length });
      draw();
    },
  };
}

const ofCount = (right: number, count: number) => `${right} of ${count}`;

export function createTrainingView(): TrainingView {
  const figure = byId('last-run', HTMLElement);
  const training = lossChart('loss-chart', 'Training loss');
  const corrections = lossChart('correction-loss-chart', 'Loss on your corrections');
  const recall = byId('digit-recall', HTMLOListElement);
  const recallCaption = byId('recall-caption', HTMLElement);

  function showRecall(byDigit: CorrectionsByDigit | undefined, accepted: boolean) {
    recall.replaceChildren(
      ...Array.from({ length: 10 }, (_, digit) => {
        const count = byDigit?.count[digit] ?? 0;
        const before = byDigit?.baseRight[digit] ?? 0;
        const after = byDigit?.right[digit] ?? 0;
        const bar = (kind: string, right: number) =>
          h('span', { class: `recall-bar ${kind}`, style: `--r: ${count > 0 ? (100 * right) / count : 0}%` });
        const text =
          count === 0
            ? `${digit}: no corrections`
            : `${digit}: ${count} correction${count === 1 ? '' : 's'}, read right by ${ofCount(before, count)} before and ${ofCount(after, count)} after`;
        return h(
          'li',
          { 'data-testid': 'digit-recall-item', title: text, ...(count === 0 ? { 'data-empty': '' } : {}) },
          h(
            'span',
            { class: 'recall-bars', 'aria-hidden': 'true' },
            bar('before', before),
            bar('after', after),
          ),
          h('span', { class: 'recall-digit', 'aria-hidden': 'true' }, String(digit)),
          h('span', { class: 'visually-hidden' }, text),
        );
      }),
    );
    recallCaption.textContent = accepted
      ? 'Your corrections read right, per digit: before (grey) and after (blue) this consolidation.'
      : 'Your corrections read right, per digit, by the served model (grey) and by the rejected candidate (blue), which is not served.';
  }

  return {
    start() {
      figure.hidden = false;
      training.reset();
      corrections.reset();
      recall.replaceChildren();
      recallCaption.textContent = 'How this consolidation reads your corrections shows when it ends.';
    },
    progress({ phase, step, totalSteps, loss, correctionLoss }) {
      if (phase !== 'training') return;
      if (loss !== undefined) training.add(step, totalSteps, loss);
      if (correctionLoss !== undefined) corrections.add(step, totalSteps, correctionLoss);
    },
    finished(outcome) {
      figure.hidden = false;
      showRecall(outcome.metrics.correctionsByDigit, outcome.accepted);
    },
  };
}
