import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeFiles,
  FIRST_LOAD_BUDGET_GZIP_BYTES,
  firstLoadOf,
  recordFetches,
} from '../../../scripts/first-load.mjs';
import demoConfig from '../vite.config.js';
import {
  chromiumPath,
  noChromiumReason,
  padRevision,
  settledPrediction,
  waitUntilReady,
} from './demo-page.js';
import { serveStatic } from './static-server.js';
import { drawDigit } from './strokes.js';

describe.skipIf(!chromiumPath)(`the static build in Chromium (${chromiumPath ?? noChromiumReason})`, () => {
  let outDir: string;
  let host: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;

  beforeAll(async () => {
    const [{ build }, { chromium }] = await Promise.all([import('vite'), import('playwright-core')]);
    outDir = await mkdtemp(join(tmpdir(), 'crazy-digits-web-demo-build-'));
    await build({
      ...demoConfig,
      configFile: false,
      logLevel: 'error',
      build: { ...demoConfig.build, outDir },
    });
    // A sub-path, as on a project page of a static host: every URL in the build must be relative.
    host = await serveStatic(outDir, '/some/sub/path/');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('ships the wasm binaries as assets and recognises a digit from a sub-path on the wasm backend', async () => {
    const assets = await readdir(join(outDir, 'assets'));
    expect(assets.filter((name) => name.endsWith('.wasm'))).toHaveLength(3);

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: Error[] = [];
    const missing: string[] = [];
    page.on('pageerror', (error) => errors.push(error));
    page.on('response', (response) => {
      if (response.status() >= 400) missing.push(response.url());
    });
    await page.goto(host.url);
    await waitUntilReady(page);
    expect(await page.locator('#runtime').textContent()).toMatch(/^TensorFlow\.js wasm backend/);
    const before = await padRevision(page);
    const shown = await settledPrediction(page, before + (await drawDigit(page, 5)));
    expect(shown.digit).toBe('5');
    await page.getByTestId('correct-6').click();
    await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 10_000 }).toBe('6');
    expect(missing).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('fetches at most 700 kB gzipped before its first prediction, the retrain worker not among it', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const fetches = recordFetches(page);
    await page.goto(host.url);
    await waitUntilReady(page);
    const before = await padRevision(page);
    expect((await settledPrediction(page, before + (await drawDigit(page, 3)))).digit).toBe('3');
    const { files, gzip, afterLoad } = firstLoadOf(await fetches.fetched());
    console.log(
      [
        `web demo first load: ${gzip} bytes gzipped`,
        ...describeFiles(files),
        ...describeFiles(afterLoad).map((line) => `at idle time, not counted: ${line}`),
      ].join('\n  '),
    );
    const names = files.map(({ path }) => path.split('/').pop());
    expect(names).toContainEqual(expect.stringMatching(/^bundled-weights-.*\.bin$/));
    expect(names.filter((name) => name?.endsWith('.wasm'))).toHaveLength(1);
    // The worker, with its own tfjs, starts at the first consolidation, long after load.
    expect(names.filter((name) => /worker/.test(name ?? ''))).toEqual([]);
    expect(gzip).toBeGreaterThan(0);
    expect(gzip).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_GZIP_BYTES);
    await page.close();
  }, 60_000);
});
