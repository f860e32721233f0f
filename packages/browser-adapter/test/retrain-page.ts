import type { RetrainerOptions, RetrainMetrics } from '@crazy-digits/core';
import type { Page } from 'playwright-core';

/** What {@link runRetrainInPage} asks the page to do. */
export interface PageRetrainOptions {
  /** For `useBackend('wasm', { wasmPaths })` on the page and in the worker (the harness's `wasmPaths`). */
  wasmPaths: string;
  /** The digits to correct before retraining: 784 values 0–1 each, and the label. */
  corrections: { image: number[]; label: number }[];
  /** `'worker'`: `createWorkerRetrainer()`; `'main'`: core's `createRetrainer()` on the page's thread. */
  thread: 'worker' | 'main';
  /** Passed to `createRetrainer` (in the worker or on the page). */
  retrainer?: RetrainerOptions;
  /** Measured runs, one after another on the same recogniser and worker. Default 1. */
  runs?: number;
  /** After the measured runs, also start one and abort it at its first progress event. */
  checkAbort?: boolean;
}

/** What the page saw during one `recognizer.retrain()`. */
export interface PageRetrainRun {
  accepted: boolean;
  reason?: string;
  metrics: RetrainMetrics;
  progressEvents: number;
  /** Wall time of `retrain()` on the page. */
  retrainMs: number;
  /** The main thread's long tasks (over 50 ms) during the run, from its start, by PerformanceObserver. */
  longTasks: { startMs: number; durationMs: number }[];
  /** When each phase was first reported, from the start of the run; `'answered'` is the last progress. */
  phasesAtMs: Record<string, number>;
  /** The longest gap between two animation frames during the run. */
  longestFrameGapMs: number;
}

/** What the page measured. */
export interface PageRetrainFigures {
  runs: PageRetrainRun[];
  /** TensorFlow.js backend of the page and of the retrainer (the worker's, or the page's). */
  pageBackend: string;
  retrainerBackend: string | undefined;
  /** With `checkAbort`: the aborted run's rejection message, and whether a run after it succeeded. */
  aborted?: { message: string; retrainedAfter: boolean };
}

declare global {
  interface Window {
    retrainPage: { run(options: PageRetrainOptions): Promise<PageRetrainFigures> };
  }
}

/**
 * A page that retrains a recogniser and watches its own main thread while it does: a
 * PerformanceObserver on 'longtask' and a requestAnimationFrame gap monitor. Shared by the
 * Chromium test and the `browser-retrain` benchmark. The logic lives in the page's own module (Vite
 * compiles it), so only plain data crosses `page.evaluate`.
 */
export const RETRAIN_PAGE: Record<string, string> = {
  'index.html': `<!doctype html>
<html>
  <body>
    <script type="module" src="/main.ts"></script>
  </body>
</html>`,
  'main.ts': `import { createWorkerRetrainer } from '@crazy-digits/browser-adapter';
import { createMemoryModelStore, createRecognizer, createRetrainer, useBackend } from '@crazy-digits/core';

async function measure(recognizer, afterMs) {
  // The task that made the corrections ends first: its length is not the retrain's. Before the
  // first run, a user draws for seconds after their first correction (which starts the worker).
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push({ startMs: entry.startTime - started, durationMs: entry.duration });
  });
  observer.observe({ type: 'longtask' });
  let longestFrameGapMs = 0;
  let watching = true;
  let last = performance.now();
  const frame = (now) => {
    longestFrameGapMs = Math.max(longestFrameGapMs, now - last);
    last = now;
    if (watching) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  let progressEvents = 0;
  const phasesAtMs = {};
  const started = performance.now();
  const outcome = await recognizer.retrain({
    onProgress: (progress) => {
      progressEvents++;
      phasesAtMs[progress.phase] ??= performance.now() - started;
      phasesAtMs.answered = performance.now() - started;
    },
  });
  const retrainMs = performance.now() - started;
  // Long tasks are reported after they end: give the last ones time to arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  watching = false;
  for (const entry of observer.takeRecords()) longTasks.push({ startMs: entry.startTime - started, durationMs: entry.duration });
  observer.disconnect();
  return {
    accepted: outcome.accepted,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    metrics: outcome.metrics,
    progressEvents,
    retrainMs,
    longTasks,
    phasesAtMs,
    longestFrameGapMs,
  };
}

/** How long after the page's corrections its first run is asked for. */
const FIRST_RUN_AFTER_MS = 3000;

async function run({ wasmPaths, corrections, thread, retrainer: retrainerOptions = {}, runs = 1, checkAbort = false }) {
  const pageBackend = await useBackend('wasm', { wasmPaths });
  const worker = thread === 'worker'
    ? createWorkerRetrainer({ backend: 'wasm', wasmPaths, retrainer: retrainerOptions })
    : undefined;
  const recognizer = await createRecognizer({
    retrainer: worker ?? createRetrainer(retrainerOptions),
    modelStore: createMemoryModelStore(),
  });
  try {
    for (const { image, label } of corrections) await recognizer.correct(Float32Array.from(image), label);
    const figures = { runs: [], pageBackend, retrainerBackend: undefined };
    // Every run after the first has one more correction: with nothing new, retrain() would not run.
    const oneMore = async () => {
      const { image, label } = corrections[0];
      await recognizer.correct(Float32Array.from(image), label);
    };
    for (let i = 0; i < runs; i++) {
      if (i > 0) await oneMore();
      figures.runs.push(await measure(recognizer, i === 0 ? FIRST_RUN_AFTER_MS : 100));
    }
    figures.retrainerBackend = worker ? worker.backend : pageBackend;
    if (checkAbort) {
      await oneMore();
      const controller = new AbortController();
      const message = await recognizer
        .retrain({ signal: controller.signal, onProgress: () => controller.abort(new Error('stopped by the test')) })
        .then(() => 'resolved', (error) => String(error?.message ?? error));
      const after = await recognizer.retrain();
      figures.aborted = { message, retrainedAfter: typeof after.accepted === 'boolean' };
    }
    return figures;
  } finally {
    recognizer.dispose();
    worker?.dispose();
  }
}

window.retrainPage = { run };
`,
};

/** Runs one retrain on the page served from {@link RETRAIN_PAGE} and returns what it measured. */
export async function runRetrainInPage(page: Page, options: PageRetrainOptions): Promise<PageRetrainFigures> {
  await page.waitForFunction(() => window.retrainPage !== undefined);
  return page.evaluate((args) => window.retrainPage.run(args), options);
}
