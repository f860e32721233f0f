import {
  type BrowserHarness,
  chromiumPath,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the test page puts on `window` for the tests to call. */
interface PageApi {
  adapter: typeof import('../src/index.js');
  core: typeof import('@crazy-digits/core');
  pad: import('../src/index.js').DrawingPad;
  changes: number;
}

declare global {
  interface Window {
    crazyDigitsTest: PageApi;
  }
}

const PAGE = {
  'index.html': `<!doctype html>
<html>
  <body style="margin: 0">
    <canvas id="pad" width="280" height="280" style="margin: 20px; border: 2px solid #888"></canvas>
    <script type="module" src="/main.ts"></script>
  </body>
</html>`,
  'main.ts': `import * as adapter from '@crazy-digits/browser-adapter';
import * as core from '@crazy-digits/core';

const api = { adapter, core, changes: 0, pad: undefined };
api.pad = adapter.createDrawingPad(document.querySelector('canvas'), {
  onChange: () => {
    api.changes++;
  },
});
window.crazyDigitsTest = api;
`,
};

/** Where the canvas's content starts on the page: 20 px margin and 2 px border. */
const ORIGIN = 22;

describe.skipIf(!chromiumPath)(`in Chromium (${chromiumPath ?? noChromiumReason})`, () => {
  let harness: BrowserHarness;

  const ready = () => harness.page.waitForFunction(() => window.crazyDigitsTest !== undefined);

  beforeAll(async () => {
    harness = await openBrowserPage({ files: PAGE, context: { deviceScaleFactor: 2, hasTouch: true } });
    await ready();
  }, 60_000);

  afterAll(async () => {
    expect(harness?.errors ?? []).toEqual([]);
    await harness?.close();
  });

  it('keeps corrections and models in IndexedDB across a page reload', async () => {
    const { page } = harness;
    const written = await page.evaluate(async () => {
      const { adapter, core } = window.crazyDigitsTest;
      const store = await adapter.createIndexedDBCorrectionStore({ name: 'reload-test', fallback: 'throw' });
      const image = (seed: number) => Float32Array.from({ length: 784 }, (_, i) => ((i * seed) % 97) / 97);
      const ids: string[] = [];
      for (let i = 0; i < 25; i++)
        ids.push(await store.add({ image: image(i + 1), label: i % 10, userId: i % 2 ? 'odd' : 'even' }));
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const found = await store.list({ limit: 10, ...(cursor ? { cursor } : {}) });
        paged.push(...found.items.map((c) => c.id));
        cursor = found.nextCursor;
      } while (cursor);
      const duplicate = await store
        .add({ image: image(1), label: 1, id: ids[0] })
        .catch((error: unknown) => error);
      await store.remove(ids[3] ?? '');
      const exported = await new Response(store.export()).text();
      await store.close();

      const models = await adapter.createIndexedDBModelStore({
        name: 'reload-test',
        keep: 2,
        fallback: 'throw',
      });
      const weights = new Float32Array(15).fill(0.25);
      const saved = await models.save({
        modelTopology: { class_name: 'Sequential', config: { layers: [] } },
        weightSpecs: [{ name: 'w', shape: [15], dtype: 'float32' }],
        weightData: weights.buffer,
      });
      await models.close();
      return {
        ids,
        paged,
        persistent: store.persistent,
        duplicate: core.isCrazyDigitsError(duplicate, 'DUPLICATE_CORRECTION'),
        exportedLines: exported.trim().split('\n').length,
        version: saved.version,
      };
    });
    expect(written.persistent).toBe(true);
    expect(written.paged).toEqual(written.ids);
    expect(written.duplicate).toBe(true);
    expect(written.exportedLines).toBe(25);

    await page.reload();
    await ready();
    const read = await page.evaluate(async () => {
      const { adapter } = window.crazyDigitsTest;
      const store = await adapter.createIndexedDBCorrectionStore({ name: 'reload-test', fallback: 'throw' });
      const ids: string[] = [];
      for await (const correction of store.iterate()) ids.push(correction.id);
      const odd = await store.count({ userId: 'odd' });
      const first = await store.get(ids[0] ?? '');
      const later = await store.add({ image: new Float32Array(784), label: 3 });
      const last = (await store.list({ limit: 1000 })).items.at(-1)?.id === later;
      await store.close();
      const models = await adapter.createIndexedDBModelStore({ name: 'reload-test', fallback: 'throw' });
      const loaded = await models.load();
      await models.close();
      return {
        ids,
        odd,
        firstLabel: first?.label,
        last,
        version: loaded?.info.version,
        weights:
          loaded?.artifacts.weightData instanceof ArrayBuffer ? loaded.artifacts.weightData.byteLength : 0,
      };
    });
    expect(read.ids).toEqual(written.ids.filter((_, i) => i !== 3));
    expect(read.odd).toBe(11);
    expect(read.firstLabel).toBe(0);
    expect(read.last).toBe(true);
    expect(read.version).toBe(written.version);
    expect(read.weights).toBe(60);
  });

  it('draws ink under the pointer that preprocess reads as a digit, with undo and clear', async () => {
    const { page } = harness;
    await page.evaluate(() => window.crazyDigitsTest.pad.clear());
    const changesBefore = await page.evaluate(() => window.crazyDigitsTest.changes);
    // A "7": the bar, then the stem, each a separate stroke.
    await page.mouse.move(ORIGIN + 80, ORIGIN + 70);
    await page.mouse.down();
    await page.mouse.move(ORIGIN + 200, ORIGIN + 70, { steps: 12 });
    await page.mouse.up();
    await page.mouse.move(ORIGIN + 200, ORIGIN + 72);
    await page.mouse.down();
    await page.mouse.move(ORIGIN + 120, ORIGIN + 220, { steps: 15 });
    await page.mouse.up();

    const drawn = await page.evaluate(() => {
      const { pad, core } = window.crazyDigitsTest;
      const image = pad.getImageData();
      const dark = (x: number, y: number) => (image.data[(y * image.width + x) * 4] ?? 255) < 128;
      const digit = core.preprocess(image);
      return {
        strokes: pad.strokeCount,
        width: image.width,
        height: image.height,
        // Device pixels are twice the CSS pixels (deviceScaleFactor 2).
        inkUnderBar: dark(140 * 2, 70 * 2),
        inkFarAway: dark(30 * 2, 250 * 2),
        source: digit.info.source,
        ink: digit.pixels.reduce((sum, v) => sum + v, 0),
      };
    });
    expect(drawn).toMatchObject({
      strokes: 2,
      width: 560,
      height: 560,
      inkUnderBar: true,
      inkFarAway: false,
    });
    expect(drawn.source).toBe('dark-on-light');
    expect(drawn.ink).toBeGreaterThan(20);

    // A tap with a finger leaves a dot: a stroke of its own.
    await page.touchscreen.tap(ORIGIN + 40, ORIGIN + 240);
    expect(await page.evaluate(() => window.crazyDigitsTest.pad.strokeCount)).toBe(3);

    const afterEdits = await page.evaluate(() => {
      const { pad, core } = window.crazyDigitsTest;
      pad.undo();
      pad.undo();
      const oneStroke = pad.strokeCount;
      pad.clear();
      let empty = false;
      try {
        core.preprocess(pad.getImageData());
      } catch (error) {
        empty = core.isCrazyDigitsError(error, 'EMPTY_IMAGE');
      }
      return { oneStroke, isEmpty: pad.isEmpty, empty, changes: window.crazyDigitsTest.changes };
    });
    expect(afterEdits).toMatchObject({ oneStroke: 1, isEmpty: true, empty: true });
    // Three strokes, two undos and a clear.
    expect(afterEdits.changes - changesBefore).toBe(6);

    // Once destroyed, the pad ignores the pointer.
    await page.evaluate(() => window.crazyDigitsTest.pad.destroy());
    await page.mouse.move(ORIGIN + 100, ORIGIN + 100);
    await page.mouse.down();
    await page.mouse.move(ORIGIN + 150, ORIGIN + 150, { steps: 5 });
    await page.mouse.up();
    expect(await page.evaluate(() => window.crazyDigitsTest.pad.isEmpty)).toBe(true);
  });
});
