import {
  type BrowserHarness,
  chromiumPath,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the test page puts on `window`. */
interface PageApi {
  adapter: typeof import('../src/index.js');
  core: typeof import('@crazy-digits/core');
  events: Array<{ strokeCount: number; width: number; height: number; inkPixels: number }>;
}

declare global {
  interface Window {
    digitPadTest: PageApi;
  }
}

const PAGE = {
  'index.html': `<!doctype html>
<html>
  <body style="margin: 0">
    <div style="padding: 20px"><digit-pad width="200" height="150" line-width="12"></digit-pad></div>
    <script type="module" src="/main.ts"></script>
  </body>
</html>`,
  'main.ts': `import * as adapter from '@crazy-digits/browser-adapter';
import * as core from '@crazy-digits/core';

const api = { adapter, core, events: [] };
adapter.defineDigitPad();
// Bubbles and leaves the shadow root: a listener on the document hears it.
document.addEventListener('stroke-end', (event) => {
  const { image, strokeCount } = event.detail;
  let inkPixels = 0;
  for (let i = 0; i < image.data.length; i += 4) if (image.data[i] < 128) inkPixels++;
  api.events.push({ strokeCount, width: image.width, height: image.height, inkPixels });
});
window.digitPadTest = api;
`,
};

/** Where the pad's content starts on the page: the 20 px padding. */
const ORIGIN = 20;

describe.skipIf(!chromiumPath)(`<digit-pad> in Chromium (${chromiumPath ?? noChromiumReason})`, () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    harness = await openBrowserPage({ files: PAGE, context: { deviceScaleFactor: 2 } });
    await harness.page.waitForFunction(() => window.digitPadTest !== undefined);
  }, 60_000);

  afterAll(async () => {
    expect(harness?.errors ?? []).toEqual([]);
    await harness?.close();
  });

  const stroke = async (from: [number, number], to: [number, number]) => {
    const { mouse } = harness.page;
    await mouse.move(ORIGIN + from[0], ORIGIN + from[1]);
    await mouse.down();
    await mouse.move(ORIGIN + to[0], ORIGIN + to[1], { steps: 10 });
    await mouse.up();
  };

  it('is sized by its attributes and registers once, however often it is defined', async () => {
    const found = await harness.page.evaluate(() => {
      const { adapter } = window.digitPadTest;
      const element = document.querySelector('digit-pad');
      const first = customElements.get('digit-pad');
      const again = adapter.defineDigitPad();
      const box = element?.getBoundingClientRect();
      return {
        same: first === again,
        isPad: element instanceof again,
        width: box?.width,
        height: box?.height,
        image: element ? [element.getImageData().width, element.getImageData().height] : [],
        empty: element?.isEmpty,
      };
    });
    // Device pixels are twice the CSS pixels (deviceScaleFactor 2).
    expect(found).toEqual({
      same: true,
      isPad: true,
      width: 200,
      height: 150,
      image: [400, 300],
      empty: true,
    });
  });

  it('fires stroke-end with the pixels after each stroke, and clears', async () => {
    const { page } = harness;
    await stroke([40, 30], [160, 30]);
    await stroke([160, 32], [90, 130]);
    const afterStrokes = await page.evaluate(() => {
      const element = document.querySelector('digit-pad');
      const image = element?.getImageData();
      const { core, events } = window.digitPadTest;
      return {
        events: events.slice(),
        strokeCount: element?.strokeCount,
        digit: image ? core.preprocess(image).info.source : undefined,
      };
    });
    expect(afterStrokes.strokeCount).toBe(2);
    expect(afterStrokes.events.map((e) => [e.strokeCount, e.width, e.height])).toEqual([
      [1, 400, 300],
      [2, 400, 300],
    ]);
    const [first, second] = afterStrokes.events;
    expect(first?.inkPixels).toBeGreaterThan(1000);
    expect(second?.inkPixels).toBeGreaterThan((first?.inkPixels ?? 0) + 1000);
    expect(afterStrokes.digit).toBe('dark-on-light');

    const afterClear = await page.evaluate(() => {
      const element = document.querySelector('digit-pad');
      const undone = element?.undo();
      element?.clear();
      const image = element?.getImageData();
      let dark = 0;
      for (let i = 0; i < (image?.data.length ?? 0); i += 4) if ((image?.data[i] ?? 255) < 128) dark++;
      return { undone, empty: element?.isEmpty, dark, events: window.digitPadTest.events.length };
    });
    // Undo and clear fire no stroke-end.
    expect(afterClear).toEqual({ undone: true, empty: true, dark: 0, events: 2 });
  });

  it('keeps the drawing when resized and starts a new one when the stroke changes', async () => {
    const { page } = harness;
    await stroke([30, 75], [170, 75]);
    const resized = await page.evaluate(async () => {
      const element = document.querySelector('digit-pad');
      element?.setAttribute('width', '300');
      // The pad repaints from its ResizeObserver, after the next layout.
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const image = element?.getImageData();
      const dark = (x: number, y: number) => (image?.data[(y * (image?.width ?? 0) + x) * 4] ?? 255) < 128;
      const kept = { width: image?.width, strokes: element?.strokeCount, ink: dark(200, 150) };
      element?.setAttribute('line-width', '30');
      return { ...kept, afterStrokeChange: element?.strokeCount };
    });
    expect(resized).toEqual({ width: 600, strokes: 1, ink: true, afterStrokeChange: 0 });
  });
});
