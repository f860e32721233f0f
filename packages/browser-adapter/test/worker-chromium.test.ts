import {
  type BrowserHarness,
  chromiumPath,
  loadMnist,
  mnistDigit,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRAIN_PAGE, runRetrainInPage } from './retrain-page.js';

/** Loads tfjs in a page and a worker and trains for real; a ceiling, not a measurement. */
const SLOW = 180_000;
const train = loadMnist('train', 12);
const corrections = Array.from({ length: 12 }, (_, i) => ({
  image: Array.from(mnistDigit(train, i)),
  label: train.labels[i] ?? 0,
}));

describe.skipIf(!chromiumPath)(
  `retraining in a Web Worker, in Chromium (${chromiumPath ?? noChromiumReason})`,
  () => {
    let harness: BrowserHarness;

    beforeAll(async () => {
      harness = await openBrowserPage({ files: RETRAIN_PAGE });
    }, 60_000);

    afterAll(async () => {
      expect(harness?.errors ?? []).toEqual([]);
      await harness?.close();
    });

    it(
      'retrains in the worker on the wasm backend while the page keeps running, and aborts there',
      async () => {
        const figures = await runRetrainInPage(harness.page, {
          wasmPaths: harness.wasmPaths,
          corrections,
          thread: 'worker',
          retrainer: { maxSteps: 2 },
          checkAbort: true,
        });
        const [run] = figures.runs;
        // The benchmark measures; this only records the run's figures in the log.
        const longest = Math.max(0, ...(run?.longTasks ?? []).map((task) => task.durationMs));
        console.log(
          `worker retrain of ${corrections.length} corrections (cold worker): ${run?.retrainMs.toFixed(0)} ms; ` +
            `longest main-thread task ${longest.toFixed(0)} ms (${run?.longTasks.length} over 50 ms); ` +
            `longest frame gap ${run?.longestFrameGapMs.toFixed(0)} ms`,
        );
        expect(figures.retrainerBackend).toBe('wasm');
        expect(figures.pageBackend).toBe('wasm');
        expect(run?.progressEvents).toBeGreaterThanOrEqual(3);
        expect(run?.metrics).toMatchObject({ steps: 2, correctionsUsed: corrections.length });
        expect(run?.metrics.recall).toHaveLength(10);
        expect(figures.aborted).toEqual({ message: 'stopped by the test', retrainedAfter: true });
      },
      SLOW,
    );
  },
);
