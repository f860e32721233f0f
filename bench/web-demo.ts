/**
 * `npm run bench -- web-demo [--json] [--loads 5] [--later 3] [--dev]`
 *
 * The web demo (examples/web-demo) in headless Chromium, as a visitor uses it: its static build
 * (`--dev`: Vite's dev server, as `npm start` serves it) is opened `--loads` times, each in a
 * fresh browser context (an empty IndexedDB, a first visit). On each load a digit is drawn with
 * the mouse as soon as the page says it is ready, then corrected with a click on another digit's
 * button, then `--later` more digits are drawn and corrected. Reported as medians over the loads:
 * - how long the page takes to become ready (navigation to `data-ready`);
 * - the first prediction: from lifting the mouse after the first digit until its prediction is
 *   shown (this includes the demo's 150 ms quiet time after a stroke), on a page that has just
 *   become ready, so start-up work still running competes with it;
 * - the first correction after load, and the later ones: from the click on the digit button
 *   until the corrected digit is shown (the animation frame after the DOM changed);
 * - the first load: what the page fetched until its first prediction, each file gzipped (level 9)
 *   as a static host serves it (static build only; the rehearsal digits core fetches at idle time
 *   are listed, not counted).
 * Needs a Chromium binary (see test-utils' `chromiumPath`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { serveStatic } from '../examples/web-demo/test/static-server.js';
import { drawDigit } from '../examples/web-demo/test/strokes.js';
import demoConfig from '../examples/web-demo/vite.config.js';
import { chromiumPath, noChromiumReason } from '../packages/test-utils/src/browser.js';
import {
  describeFiles,
  type FetchedFile,
  FIRST_LOAD_BUDGET_GZIP_BYTES,
  firstLoadOf,
  recordFetches,
} from '../scripts/first-load.mjs';
import type { BenchOptions } from './registry.js';
import { type Figure, percentile, printFigures } from './report.js';

/** Digits drawn on each load and the label each is corrected to (never the digit itself). */
const CORRECTIONS: readonly (readonly [drawn: number, label: number])[] = [
  [7, 1],
  [4, 9],
  [3, 8],
  [5, 6],
  [2, 7],
  [0, 6],
];

interface LoadFigures {
  readyMs: number;
  firstPredictionMs: number;
  correctionsMs: number[];
  /** What the page fetched until its first prediction was shown. */
  fetched: FetchedFile[];
}

/** Records in the page when it became ready and when the pen last went up on the pad. */
function instrument() {
  const marks = { ready: Number.NaN, penUp: Number.NaN };
  Reflect.set(window, '__benchMarks', marks);
  new MutationObserver(() => {
    if (Number.isNaN(marks.ready) && document.body?.dataset.ready === 'true') marks.ready = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
  document.addEventListener(
    'pointerup',
    (event) => {
      if (event.target instanceof Element && event.target.closest('[data-testid="pad"]'))
        marks.penUp = event.timeStamp;
    },
    true,
  );
}

/** Resolves, in the page, once the prediction for the pad's current drawing is shown: ms since pen-up. */
const predictionShown = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const marks = Reflect.get(window, '__benchMarks') as { penUp: number };
        const pad = document.querySelector<HTMLElement>('[data-testid="pad"]');
        const verdict = document.getElementById('verdict');
        const check = () => {
          if (!pad || !verdict || verdict.dataset.revision !== pad.dataset.revision) return false;
          requestAnimationFrame(() => resolve(performance.now() - marks.penUp));
          return true;
        };
        if (check()) return;
        const observer = new MutationObserver(() => {
          if (check()) observer.disconnect();
        });
        if (verdict) observer.observe(verdict, { attributes: true, attributeFilter: ['data-revision'] });
      }),
  );

/** Clicks the button for `label` and returns ms from the click until `label` is the shown digit. */
async function correct(page: Page, label: number): Promise<number> {
  await page.evaluate((label) => {
    const button = document.querySelector(`[data-testid="correct-${label}"]`);
    const prediction = document.querySelector('[data-testid="prediction"]');
    if (!button || !prediction) throw new Error('the demo has no digit buttons or prediction');
    let clickedAt = Number.NaN;
    button.addEventListener('click', (event) => (clickedAt = event.timeStamp), { capture: true, once: true });
    const shown = new Promise<number>((resolve) => {
      const observer = new MutationObserver(() => {
        if (Number.isNaN(clickedAt) || prediction.textContent !== String(label)) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - clickedAt));
      });
      observer.observe(prediction, { childList: true, characterData: true, subtree: true });
    });
    Reflect.set(window, '__benchShown', shown);
  }, label);
  await page.getByTestId(`correct-${label}`).click();
  return page.evaluate(() => Reflect.get(window, '__benchShown') as Promise<number>);
}

/** One first visit: ready, the first prediction, the first correction and `later` more. */
async function measureLoad(browser: Browser, url: string, later: number): Promise<LoadFigures> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const page = await context.newPage();
    const fetches = recordFetches(page);
    let fetched: FetchedFile[] = [];
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    // tsx names functions with a `__name` helper that the functions sent to the page call.
    await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
    await page.addInitScript(instrument);
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 60_000 });
    if ((await page.evaluate(() => document.body.dataset.ready)) !== 'true')
      throw new Error(`the demo did not start: ${await page.locator('#status').textContent()}`);
    const readyMs = await page.evaluate(
      () => (Reflect.get(window, '__benchMarks') as { ready: number }).ready,
    );
    let firstPredictionMs = Number.NaN;
    const correctionsMs: number[] = [];
    for (const [i, [drawn, label]] of CORRECTIONS.slice(0, later + 1).entries()) {
      if (i > 0) await page.getByTestId('clear').click();
      await drawDigit(page, drawn);
      const predictionMs = await predictionShown(page);
      if (i === 0) {
        firstPredictionMs = predictionMs;
        fetched = await fetches.fetched();
      }
      if ((await page.getByTestId('prediction').textContent()) === String(label))
        throw new Error(`a drawn ${drawn} already reads as ${label}: nothing to correct`);
      correctionsMs.push(await correct(page, label));
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the demo had uncaught errors');
    return { readyMs, firstPredictionMs, correctionsMs, fetched };
  } finally {
    await context.close();
  }
}

/** Serves the demo: its static build, or (`dev`) Vite's dev server as `npm start` runs it. */
async function serveDemo(dev: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const { build, createServer } = await import('vite');
  if (dev) {
    const server = await createServer({
      ...demoConfig,
      configFile: false,
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('[crazy-digits] the Vite dev server has no local URL');
    return { url, close: () => server.close() };
  }
  const outDir = await mkdtemp(join(tmpdir(), 'crazy-digits-web-demo-bench-'));
  await build({
    ...demoConfig,
    configFile: false,
    logLevel: 'error',
    build: { ...demoConfig.build, outDir },
  });
  const host = await serveStatic(outDir, '/');
  return {
    url: host.url,
    async close() {
      await host.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');

export async function run(options: BenchOptions): Promise<void> {
  if (!chromiumPath) {
    console.error(`web-demo ${noChromiumReason}`);
    process.exitCode = 1;
    return;
  }
  const { values } = parseArgs({
    args: options.args,
    options: {
      loads: { type: 'string', default: '5' },
      later: { type: 'string', default: '3' },
      dev: { type: 'boolean', default: false },
    },
  });
  const loads = Number(values.loads);
  const later = Math.min(Number(values.later), CORRECTIONS.length - 1);
  const { chromium } = await import('playwright-core');
  const demo = await serveDemo(values.dev ?? false);
  let browser: Browser | undefined;
  const measured: LoadFigures[] = [];
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // One load first, unmeasured, so that every measured one finds Chromium's caches equally warm.
    await measureLoad(browser, demo.url, 0);
    for (let i = 0; i < loads; i++) measured.push(await measureLoad(browser, demo.url, later));
  } finally {
    await browser?.close();
    await demo.close();
  }
  const served = values.dev ? 'Vite dev server (npm start)' : 'static build';
  const ready = measured.map((m) => m.readyMs);
  const firstPrediction = measured.map((m) => m.firstPredictionMs);
  const first = measured.map((m) => m.correctionsMs[0] ?? Number.NaN);
  const laterMs = measured.map((m) => median(m.correctionsMs.slice(1)));
  const figures: Figure[] = [
    {
      bench: 'web-demo',
      metric: 'page ready after navigation',
      value: median(ready),
      unit: 'ms',
      detail: `median of ${loads} first visits, ${served}; each: ${list(ready)}`,
    },
    {
      bench: 'web-demo',
      metric: 'first prediction shown after the pen lifts',
      value: median(firstPrediction),
      unit: 'ms',
      detail: `drawn as soon as the page is ready; includes the 150 ms quiet time; each: ${list(firstPrediction)}`,
    },
    {
      bench: 'web-demo',
      metric: 'first correction after load shown',
      value: median(first),
      unit: 'ms',
      detail: `click to corrected digit on screen; target ≤ 150 ms; each: ${list(first)}`,
    },
    {
      bench: 'web-demo',
      metric: 'later corrections shown',
      value: median(laterMs),
      unit: 'ms',
      detail: `median of each load's ${later} later corrections; each load: ${list(laterMs)}`,
    },
  ];
  // Every first visit fetches the same files; Vite's dev server serves modules unbundled.
  const firstLoad = measured[0] && !values.dev ? firstLoadOf(measured[0].fetched) : undefined;
  if (firstLoad) {
    const later = describeFiles(firstLoad.afterLoad).map((line) => `at idle time, not counted: ${line}`);
    figures.push({
      bench: 'web-demo',
      metric: 'first load before the first prediction, gzipped',
      value: firstLoad.gzip,
      unit: 'bytes',
      detail: `budget ${FIRST_LOAD_BUDGET_GZIP_BYTES}; ${firstLoad.binUncompressed} with .bin uncompressed; ${[...describeFiles(firstLoad.files), ...later].join('; ')}`,
    });
  }
  printFigures(figures, options.json);
}
