import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  chromiumPath,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

declare global {
  interface Window {
    reactPage: typeof import('./react-page.js').reactPage;
  }
}

const PAGE = {
  'index.html':
    '<!doctype html><body style="margin: 0"><script type="module" src="/main.ts"></script></body>',
  'main.ts': `import { reactPage } from 'react-page';
window.reactPage = reactPage;
`,
};

/** Loads tfjs and the model for real; a ceiling, not a measurement. */
const SLOW = 60_000;

describe.skipIf(!chromiumPath)(`React bindings in Chromium (${chromiumPath ?? noChromiumReason})`, () => {
  let harness: BrowserHarness;
  let tensors: { baseline: number; perRecognizer: number };

  beforeAll(async () => {
    harness = await openBrowserPage({
      files: PAGE,
      aliases: {
        '@crazy-digits/react': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
        'react-page': fileURLToPath(new URL('./react-page.ts', import.meta.url)),
      },
    });
    await harness.page.waitForFunction(() => window.reactPage !== undefined);
    tensors = await harness.page.evaluate((paths) => window.reactPage.prepare(paths), harness.wasmPaths);
  }, SLOW);

  afterAll(async () => {
    expect(harness?.errors ?? []).toEqual([]);
    await harness?.close();
  });

  /** A stroke with the mouse, in the pad's CSS pixels (the pad is at the page's top-left corner). */
  const stroke = async (from: [number, number], to: [number, number]) => {
    const { mouse } = harness.page;
    await mouse.move(...from);
    await mouse.down();
    await mouse.move(...to, { steps: 12 });
    await mouse.up();
  };

  it(
    'loads the model once under StrictMode and frees every tensor on unmount',
    async () => {
      expect(tensors.perRecognizer).toBeGreaterThan(0);
      const seen = await harness.page.evaluate(() => window.reactPage.loadAndUnmount());
      expect(seen).toEqual({
        loads: 1,
        statuses: ['loading', 'ready'],
        // One recogniser's tensors, not two.
        whileMounted: tensors.perRecognizer,
        predicted: 'number',
        afterUnmount: 0,
        afterDispose: 'RECOGNIZER_DISPOSED',
      });
    },
    SLOW,
  );

  it(
    'disposes a recogniser that finishes loading after its component unmounted',
    async () => {
      const seen = await harness.page.evaluate(() => window.reactPage.unmountWhileLoading());
      expect(seen).toEqual({
        created: 1,
        statuses: ['loading'],
        afterLoad: 0,
        afterDispose: 'RECOGNIZER_DISPOSED',
      });
    },
    SLOW,
  );

  it('reports a load that fails, with its code', async () => {
    const seen = await harness.page.evaluate(() => window.reactPage.failToLoad({ uncertainBelow: 2 }));
    expect(seen).toEqual({ status: 'error', recognizer: undefined, code: 'INVALID_OPTIONS' });
  });

  it('keeps every stroke when an inline onChange re-renders the parent', async () => {
    const { page } = harness;
    await page.evaluate(() => window.reactPage.mountPadWithState());
    await stroke([60, 60], [220, 60]);
    await page.waitForFunction(() => document.querySelector('output')?.textContent === '1');
    await stroke([140, 80], [140, 240]);
    await page.waitForFunction(() => document.querySelector('output')?.textContent === '2');
    const seen = await page.evaluate(() => {
      const { log, inkAt } = window.reactPage;
      const result = {
        strokes: log.handle?.strokeCount,
        // On the first stroke, on the second, and where nothing was drawn.
        ink: inkAt([
          [140, 60],
          [140, 200],
          [40, 250],
        ]),
        calls: log.calls.map((call) => call.strokes),
        latestCallbackEachTime: log.calls.every(
          (call, i) => i === 0 || call.render > (log.calls[i - 1]?.render ?? 0),
        ),
      };
      log.unmount();
      return result;
    });
    expect(seen).toEqual({
      strokes: 2,
      ink: [true, true, false],
      calls: [1, 2],
      latestCallbackEachTime: true,
    });
  });

  it(
    'predicts the digit drawn on the pad with the recogniser from useRecognizer',
    async () => {
      const { page } = harness;
      await page.evaluate(() => window.reactPage.mountRecognisingPad());
      await page.waitForSelector('canvas[aria-label="ready"]', { timeout: SLOW });
      await stroke([140, 50], [135, 230]);
      await page.waitForFunction(() => window.reactPage.log.predictions.length > 0);
      const predictions = await page.evaluate(() => {
        const { log } = window.reactPage;
        log.unmount();
        return log.predictions;
      });
      expect(predictions).toEqual([1]);
    },
    SLOW,
  );
});
