/**
 * `npm run bench -- browser-retrain [--json] [--corrections 50] [--runs 2] [--main-thread]`
 *
 * Retraining in headless Chromium with `createWorkerRetrainer()`: the longest main-thread task
 * (PerformanceObserver 'longtask'; target ≤ 50 ms) and the longest gap between animation frames
 * while `recognizer.retrain()` runs, and how long the run takes, for `--corrections` MNIST
 * digits. The page's first correction starts the worker (TensorFlow.js and the wasm backend load
 * there); the first run is asked for 3 s after the corrections, as a user draws between their
 * first correction and a consolidation, and is the first in that worker (its first passes over
 * the bundled digits); later runs reuse it, each with one more correction. `--main-thread` also measures
 * core's `createRetrainer()` on the page's own thread, for comparison. Needs a Chromium binary
 * (see test-utils' `chromiumPath`).
 */
import { parseArgs } from 'node:util';
import {
  type PageRetrainFigures,
  RETRAIN_PAGE,
  runRetrainInPage,
} from '../packages/browser-adapter/test/retrain-page.js';
import { chromiumPath, noChromiumReason, openBrowserPage } from '../packages/test-utils/src/browser.js';
import { mnistDigit } from '../packages/test-utils/src/index.js';
import { loadMnist } from '../packages/test-utils/src/mnist.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

function figuresOf(thread: string, measured: PageRetrainFigures, corrections: number): Figure[] {
  return measured.runs.flatMap((run, i) => {
    const label = `${thread}, run ${i + 1}${i === 0 ? ' (cold)' : ''}`;
    const longest = Math.max(0, ...run.longTasks.map((task) => task.durationMs));
    const answered = run.phasesAtMs.answered ?? run.retrainMs;
    return [
      {
        bench: 'browser-retrain',
        metric: `${label}: longest main-thread task`,
        value: longest,
        unit: 'ms',
        detail: `target ≤ 50 ms; ${run.longTasks.length} tasks over 50 ms: ${run.longTasks.map((t) => `${t.durationMs.toFixed(0)} ms at ${t.startMs.toFixed(0)}`).join(', ') || 'none'}`,
      },
      {
        bench: 'browser-retrain',
        metric: `${label}: longest frame gap`,
        value: run.longestFrameGapMs,
        unit: 'ms',
        detail: 'requestAnimationFrame',
      },
      {
        bench: 'browser-retrain',
        metric: `${label}: retrain()`,
        value: run.retrainMs,
        unit: 'ms',
        detail: `${corrections} corrections, ${run.metrics.steps} steps, ${measured.retrainerBackend} backend, ${run.accepted ? 'accepted' : `rejected: ${run.reason}`}`,
      },
      {
        bench: 'browser-retrain',
        metric: `${label}: page work after the answer`,
        value: run.retrainMs - answered,
        unit: 'ms',
        detail:
          'serving the candidate: save the version, load it, features of the corrections under the new weights (its rehearsal digits come with the answer)',
      },
    ];
  });
}

export async function run(options: BenchOptions): Promise<void> {
  if (!chromiumPath) {
    console.error(`browser-retrain ${noChromiumReason}`);
    process.exitCode = 1;
    return;
  }
  const { values } = parseArgs({
    args: options.args,
    options: {
      corrections: { type: 'string', default: '50' },
      runs: { type: 'string', default: '2' },
      'main-thread': { type: 'boolean', default: false },
    },
  });
  const count = Number(values.corrections);
  const train = loadMnist('train', 1000 + count);
  // Digits the bundled model never rehearses with: the 1,000 after the rehearsal digits' range.
  const corrections = Array.from({ length: count }, (_, i) => ({
    image: Array.from(mnistDigit(train, 1000 + i)),
    label: train.labels[1000 + i] ?? 0,
  }));
  const harness = await openBrowserPage({ files: RETRAIN_PAGE });
  const figures: Figure[] = [];
  try {
    const runs = Number(values.runs);
    const worker = await runRetrainInPage(harness.page, {
      wasmPaths: harness.wasmPaths,
      corrections,
      thread: 'worker',
      runs,
    });
    figures.push(...figuresOf('worker', worker, count));
    if (values['main-thread']) {
      const main = await runRetrainInPage(harness.page, {
        wasmPaths: harness.wasmPaths,
        corrections,
        thread: 'main',
        runs,
      });
      figures.push(...figuresOf('main thread', main, count));
    }
    if (harness.errors.length > 0) throw new AggregateError(harness.errors, 'the page had uncaught errors');
  } finally {
    await harness.close();
  }
  printFigures(figures, options.json);
}
