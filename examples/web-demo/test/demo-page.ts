import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath, noChromiumReason } from '@crazy-digits/test-utils';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import demoConfig from '../vite.config.js';

export { chromiumPath, noChromiumReason };

/** The demo served by Vite (its own config) and a headless Chromium to open it in. */
export interface DemoHarness {
  url: string;
  /**
   * Opens the demo in a new browser context (its own IndexedDB, so nothing carries over from
   * another context) and waits until the recogniser is ready.
   */
  open(context?: BrowserContextOptions): Promise<DemoPage>;
  close(): Promise<void>;
}

export interface DemoPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors of the page so far. */
  errors: Error[];
}

/** Resolves once the page's recogniser has loaded (the app sets `data-ready` on `<body>`). */
export async function waitUntilReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 60_000 });
  const state = await page.evaluate(() => document.body.dataset.ready);
  if (state !== 'true') {
    throw new Error(`the demo did not start: ${await page.locator('[data-testid="status"]').textContent()}`);
  }
}

/** The pad's drawing revision: it goes up by one per stroke, undo and clear. */
export const padRevision = (page: Page) =>
  page.evaluate(() =>
    Number(document.querySelector<HTMLElement>('[data-testid="pad"]')?.dataset.revision ?? 0),
  );

/**
 * Waits until the pad has reached `revision` and the prediction shown is the one for that
 * drawing, and returns it: the digit text (empty when nothing is drawn) and the confidence text.
 */
export async function settledPrediction(page: Page, revision: number) {
  await page.waitForFunction(
    (expected) => {
      const pad = document.querySelector<HTMLElement>('[data-testid="pad"]');
      const verdict = document.getElementById('verdict');
      return pad?.dataset.revision === String(expected) && verdict?.dataset.revision === String(expected);
    },
    revision,
    { timeout: 20_000 },
  );
  return {
    digit: (await page.locator('[data-testid="prediction"]').textContent()) ?? '',
    confidence: (await page.locator('[data-testid="confidence"]').textContent()) ?? '',
    state: await page.locator('#verdict').getAttribute('data-state'),
  };
}

/** The number pad's drawing revision, as {@link padRevision} for the digit pad. */
export const numberRevision = (page: Page) =>
  page.evaluate(() =>
    Number(document.querySelector<HTMLElement>('[data-testid="number-pad"]')?.dataset.revision ?? 0),
  );

/**
 * Waits until the number pad has reached `revision` and the reading shown is the one for that
 * drawing, and returns it: the text, the confidence text, the state and how many boxes are shown.
 */
export async function settledReading(page: Page, revision: number) {
  await page.waitForFunction(
    (expected) => {
      const pad = document.querySelector<HTMLElement>('[data-testid="number-pad"]');
      const verdict = document.getElementById('number-verdict');
      return pad?.dataset.revision === String(expected) && verdict?.dataset.revision === String(expected);
    },
    revision,
    { timeout: 20_000 },
  );
  return {
    text: (await page.getByTestId('number-text').textContent()) ?? '',
    confidence: (await page.getByTestId('number-confidence').textContent()) ?? '',
    state: await page.locator('#number-verdict').getAttribute('data-state'),
    boxes: await page.getByTestId('number-box').count(),
  };
}

/** Starts the demo's Vite dev server on a free local port and launches Chromium (`chromiumPath`). */
export async function startDemo(): Promise<DemoHarness> {
  if (!chromiumPath) throw new Error(`[crazy-digits] ${noChromiumReason}`);
  const [{ chromium }, { createServer }] = await Promise.all([import('playwright-core'), import('vite')]);
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  };
  try {
    server = await createServer({
      ...demoConfig,
      configFile: false,
      logLevel: 'error',
      // Pre-bundled dependencies (tfjs, idb) kept between runs.
      cacheDir: join(tmpdir(), 'crazy-digits-web-demo-vite-cache'),
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('[crazy-digits] the Vite dev server has no local URL');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    const launched = browser;
    return {
      url,
      close,
      async open(options = { viewport: { width: 1100, height: 900 } }) {
        const context = await launched.newContext(options);
        const page = await context.newPage();
        const errors: Error[] = [];
        page.on('pageerror', (error) => errors.push(error));
        await page.goto(url);
        await waitUntilReady(page);
        return { page, context, errors };
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
