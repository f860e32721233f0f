/**
 * `npm run bench -- latency [--json] [--calls 2000]`
 *
 * Warm latency of `predict` on a 280x280 RGBA canvas in one Node process: the whole call, the
 * preprocessing alone (`preprocess`) and the model alone (`predict` on MNIST-style input, which
 * skips canvas preprocessing), medians and p95 over the calls.
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
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, percentile, printFigures } from './report.js';

function pick<T>(items: T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('no items to pick from');
  return item;
}

async function timeCalls(calls: number, work: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(200, calls); i++) await work(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await work(i);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: { calls: { type: 'string', default: '2000' } },
  });
  const calls = Number(values.calls);
  const test = loadMnist('test', 100);
  const random = seededRandom(7);
  const canvases = Array.from({ length: 100 }, (_, i) =>
    drawDigitOnCanvas(mnistDigit(test, i), canvasBenchmarkOptions(random)),
  );
  const digits = canvases.map((canvas) => preprocess(canvas).pixels);
  const recognizer = await createRecognizer();

  const tensorsAtStart = tf.memory().numTensors;
  const figures: Figure[] = [];
  const report = (metric: string, sorted: number[]) => {
    figures.push({
      bench: 'latency',
      metric: `${metric} median`,
      value: percentile(sorted, 0.5),
      unit: 'ms',
      detail: `${calls} calls, backend ${recognizer.backend}`,
    });
    figures.push({ bench: 'latency', metric: `${metric} p95`, value: percentile(sorted, 0.95), unit: 'ms' });
  };
  report(
    'predict(280x280 RGBA canvas)',
    await timeCalls(calls, (i) => recognizer.predict(pick(canvases, i))),
  );
  report('preprocess(280x280 RGBA canvas)', await timeCalls(calls, (i) => preprocess(pick(canvases, i))));
  report(
    'predict(28x28 MNIST-style), model only',
    await timeCalls(calls, (i) => recognizer.predict(pick(digits, i))),
  );
  figures.push({
    bench: 'latency',
    metric: 'tensors leaked over all calls',
    value: tf.memory().numTensors - tensorsAtStart,
    unit: 'tensors',
    detail: `${3 * (calls + Math.min(200, calls))} calls`,
  });
  recognizer.dispose();
  printFigures(figures, options.json);
}
