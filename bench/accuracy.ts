/**
 * `npm run bench -- accuracy [--json] [--limit N]`
 *
 * Accuracy of the shipped model through the public API: (1) the 10,000 MNIST test digits as
 * MNIST-style input; (2) the canvas benchmark — the same digits re-drawn as a person's canvas
 * would deliver them (280x280 RGBA, size 40–90%, random position, stroke weight and slight
 * rotation; half black on white, half coloured ink on transparent; seed 20261127), through
 * `predict(imageData)`.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createRecognizer } from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  loadMnist,
  mnistDigit,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

export const CANVAS_SEED = 20261127;

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: { limit: { type: 'string', default: '10000' } },
  });
  const test = loadMnist('test', Number(values.limit));
  const recognizer = await createRecognizer();
  const figures: Figure[] = [];
  // Every prediction below (batched and one by one) must leave the tensor count where it was.
  const tensorsAtStart = tf.memory().numTensors;

  let right = 0;
  const batch = 500;
  for (let start = 0; start < test.count; start += batch) {
    const inputs = Array.from({ length: Math.min(batch, test.count - start) }, (_, i) =>
      mnistDigit(test, start + i),
    );
    const predictions = await recognizer.predictBatch(inputs);
    predictions.forEach((p, i) => {
      if (p.digit === test.labels[start + i]) right++;
    });
  }
  figures.push({
    bench: 'accuracy',
    metric: 'MNIST test accuracy',
    value: (100 * right) / test.count,
    unit: '%',
    detail: `${test.count} digits, model ${recognizer.modelVersion}`,
  });

  const random = seededRandom(CANVAS_SEED);
  let canvasRight = 0;
  const byBackground = { 'dark-on-white': [0, 0], transparent: [0, 0] };
  for (let i = 0; i < test.count; i++) {
    const drawing = canvasBenchmarkOptions(random);
    const prediction = await recognizer.predict(drawDigitOnCanvas(mnistDigit(test, i), drawing));
    const ok = prediction.digit === test.labels[i];
    if (ok) canvasRight++;
    const tally = byBackground[drawing.background ?? 'dark-on-white'];
    tally[0] = (tally[0] ?? 0) + (ok ? 1 : 0);
    tally[1] = (tally[1] ?? 0) + 1;
  }
  figures.push({
    bench: 'accuracy',
    metric: 'canvas benchmark accuracy',
    value: (100 * canvasRight) / test.count,
    unit: '%',
    detail: Object.entries(byBackground)
      .map(([name, [ok = 0, all = 0]]) => `${name} ${((100 * ok) / all).toFixed(2)}%`)
      .join(', '),
  });
  figures.push({
    bench: 'accuracy',
    metric: 'tensors leaked over all predictions',
    value: tf.memory().numTensors - tensorsAtStart,
    unit: 'tensors',
    detail: `${2 * test.count} predictions (${test.count} batched, ${test.count} canvas drawings one by one)`,
  });
  recognizer.dispose();
  printFigures(figures, options.json);
}
