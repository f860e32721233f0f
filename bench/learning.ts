/**
 * `npm run bench -- learning [--json] [--corrections 200]`
 *
 * Instant effect of `correct()` before any retraining.
 *
 * 1. Each on its own: an MNIST test digit is corrected to its runner-up class (the label the model
 *    finds next most likely — the hardest override, since the model was right); how often
 *    `predict` returns that label for the same input and for small variants (shifted 1–2 px,
 *    rotated ±10°); then the correction is removed.
 * 2. Together, as in use: the canvas drawings (of MNIST training digits) the model gets wrong are
 *    corrected with their true labels, and MNIST test accuracy is measured before and after.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createRecognizer, preprocess } from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  loadMnist,
  mnistDigit,
  shiftDigit,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

/** Rotated about the centre with bilinear sampling, then renormalised as `predict` would a drawing. */
function rotated(digit: Float32Array, angle: number): Float32Array {
  const out = new Float32Array(784);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x > 27 || y > 27 ? 0 : (digit[y * 28 + x] ?? 0));
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const u = cos * (x - 13.5) + sin * (y - 13.5) + 13.5;
      const v = -sin * (x - 13.5) + cos * (y - 13.5) + 13.5;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      out[y * 28 + x] =
        (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
        (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
    }
  }
  return preprocess({ data: out, width: 28, height: 28, channels: 1 }).pixels;
}

export const variantsOf = (digit: Float32Array): Float32Array[] => [
  shiftDigit(digit, 1, 0),
  shiftDigit(digit, -1, 1),
  shiftDigit(digit, 0, -2),
  shiftDigit(digit, 2, 1),
  rotated(digit, (10 * Math.PI) / 180),
  rotated(digit, (-10 * Math.PI) / 180),
];

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: { corrections: { type: 'string', default: '200' } },
  });
  const count = Number(values.corrections);
  const test = loadMnist('test');
  // Counted over the recogniser's whole life: what it holds while alive (the correction memory's
  // matrix, the served model) is not a leak, what survives dispose() is.
  await tf.ready();
  const tensorsBefore = tf.memory().numTensors;
  const recognizer = await createRecognizer();

  let exact = 0;
  let variantHits = 0;
  let variantTotal = 0;
  const correctMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const digit = mnistDigit(test, i);
    const { probabilities } = await recognizer.predict(digit);
    const runnerUp = probabilities.map((p, d) => [p, d] as const).sort((a, b) => b[0] - a[0])[1]?.[1] ?? 0;
    const started = performance.now();
    const { id } = await recognizer.correct(digit, runnerUp);
    correctMs.push(performance.now() - started);
    if ((await recognizer.predict(digit)).digit === runnerUp) exact++;
    for (const prediction of await recognizer.predictBatch(variantsOf(digit))) {
      variantTotal++;
      if (prediction.digit === runnerUp) variantHits++;
    }
    await recognizer.removeCorrection(id);
  }

  const testDigits = Array.from({ length: test.count }, (_, i) => mnistDigit(test, i));
  const accuracy = async () =>
    (await recognizer.predictBatch(testDigits)).filter((p, i) => p.digit === test.labels[i]).length /
    test.count;
  const accuracyBefore = await accuracy();
  const train = loadMnist('train', 20_000);
  const random = seededRandom(5);
  let corrected = 0;
  for (let i = 0; i < train.count && corrected < count; i++) {
    const drawing = drawDigitOnCanvas(mnistDigit(train, i), canvasBenchmarkOptions(random));
    const label = train.labels[i] ?? 0;
    if ((await recognizer.predict(drawing)).digit !== label) {
      await recognizer.correct(drawing, label);
      corrected++;
    }
  }
  const accuracyAfter = await accuracy();

  const figures: Figure[] = [
    {
      bench: 'learning',
      metric: 'corrected input predicted as corrected',
      value: (100 * exact) / count,
      unit: '%',
      detail: `${count} corrections to the runner-up class, one at a time`,
    },
    {
      bench: 'learning',
      metric: 'small variants predicted as corrected',
      value: (100 * variantHits) / variantTotal,
      unit: '%',
      detail: 'shifted 1–2 px, rotated ±10°',
    },
    {
      bench: 'learning',
      metric: 'correct() median',
      value: median(correctMs),
      unit: 'ms',
      detail: 'memory store',
    },
    {
      bench: 'learning',
      metric: 'MNIST test accuracy change after real corrections',
      value: 100 * (accuracyAfter - accuracyBefore),
      unit: 'points',
      detail: `${corrected} misread canvas drawings corrected; ${(100 * accuracyBefore).toFixed(2)}% → ${(100 * accuracyAfter).toFixed(2)}%`,
    },
  ];
  recognizer.dispose();
  figures.push({
    bench: 'learning',
    metric: 'tensors leaked over the corrections',
    value: tf.memory().numTensors - tensorsBefore,
    unit: 'tensors',
    detail: 'from before createRecognizer() to after dispose()',
  });
  printFigures(figures, options.json);
}
