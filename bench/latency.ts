/**
 * `npm run bench -- latency [--json] [--calls 2000]`
 *
 * Warm latency of `predict` on a 280x280 RGBA canvas in one Node process: the whole call, the
 * preprocessing alone (`preprocess`) and the model alone (`predict` on MNIST-style input, which
 * skips canvas preprocessing), medians and p95 over the calls.
 *
 * Then the same predict, and `correct`, with 3,000 and 10,000 corrections in the recogniser's
 * memory (MNIST training digits corrected to their runner-up class, none consolidated: the
 * worst case, every one of them scanned), and the memory each correction adds (JS heap and array
 * buffers; exact with `NODE_OPTIONS=--expose-gc`)
 * (`--corrections 3000,10000`), and how long a recogniser takes to open on a store holding the
 * largest number of them, to its first prediction.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createMemoryCorrectionStore, createRecognizer, preprocess } from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  loadMnist,
  mnistDigit,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, percentile, printFigures } from './report.js';

type Canvas = ReturnType<typeof drawDigitOnCanvas>;

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
    options: {
      calls: { type: 'string', default: '2000' },
      corrections: { type: 'string', default: '3000,10000' },
    },
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
  figures.push(...(await withCorrections(values.corrections.split(',').map(Number), canvases, calls)));
  printFigures(figures, options.json);
}

/** predict and correct with `sizes` corrections in the memory, grown one correction at a time. */
async function withCorrections(sizes: number[], canvases: Canvas[], calls: number): Promise<Figure[]> {
  const largest = Math.max(...sizes);
  const train = loadMnist('train', largest + calls);
  const store = createMemoryCorrectionStore();
  const recognizer = await createRecognizer({ store });
  const figures: Figure[] = [];
  try {
    const runnerUp = async (i: number) => {
      const digit = mnistDigit(train, i);
      const { probabilities } = await recognizer.predict(digit);
      const order = probabilities.map((p, label) => [p, label] as const).sort((a, b) => b[0] - a[0]);
      return { digit, label: order[1]?.[1] ?? 0 };
    };
    let made = 0;
    globalThis.gc?.();
    // The JavaScript heap and what typed arrays hold outside it (images and features live there).
    const used = () => {
      const { heapUsed, external } = process.memoryUsage();
      return heapUsed + external;
    };
    const heapBefore = used();
    for (const size of [...sizes].sort((a, b) => a - b)) {
      for (; made < size; made++) {
        const { digit, label } = await runnerUp(made);
        await recognizer.correct(digit, label);
      }
      globalThis.gc?.();
      const heap = used() - heapBefore;
      const predictTimes = await timeCalls(calls, (i) => recognizer.predict(pick(canvases, i)));
      // Each timed correction is removed again, so the memory stays at `size`.
      const correctTimes: number[] = [];
      for (let i = 0; i < Math.min(calls, 300); i++) {
        const { digit, label } = await runnerUp(largest + i);
        const started = performance.now();
        const { id } = await recognizer.correct(digit, label);
        correctTimes.push(performance.now() - started);
        await recognizer.removeCorrection(id);
      }
      correctTimes.sort((a, b) => a - b);
      const detail = `${size} corrections in the memory (MNIST digits corrected to their runner-up), none consolidated; memory store`;
      figures.push(
        {
          bench: 'latency',
          metric: `predict with ${size} corrections, median`,
          value: percentile(predictTimes, 0.5),
          unit: 'ms',
          detail: `${calls} calls on 280x280 canvases; ${detail}`,
        },
        {
          bench: 'latency',
          metric: `predict with ${size} corrections, p95`,
          value: percentile(predictTimes, 0.95),
          unit: 'ms',
        },
        {
          bench: 'latency',
          metric: `correct with ${size} corrections, median`,
          value: percentile(correctTimes, 0.5),
          unit: 'ms',
          detail: `${correctTimes.length} calls on 28x28 digits`,
        },
        {
          bench: 'latency',
          metric: `memory per correction at ${size}`,
          value: heap / size / 1024,
          unit: 'KiB',
          detail: `${(heap / 2 ** 20).toFixed(0)} MiB (JS heap and array buffers) for ${size} corrections, the store's images included${globalThis.gc ? '' : '; without --expose-gc, so approximate'}`,
        },
      );
    }
    // A recogniser opening on a store that holds them all (a server restarting its global scope):
    // every stored correction's features and label agreement are made before the first answer.
    const started = performance.now();
    const reopened = await createRecognizer({ store });
    try {
      await reopened.predict(pick(canvases, 0));
      figures.push({
        bench: 'latency',
        metric: `open on a store with ${largest} corrections, to the first prediction`,
        value: performance.now() - started,
        unit: 'ms',
        detail: 'createRecognizer({ store }) and one predict; memory store',
      });
    } finally {
      reopened.dispose();
    }
  } finally {
    recognizer.dispose();
  }
  return figures;
}
