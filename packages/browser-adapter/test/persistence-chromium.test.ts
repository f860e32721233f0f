import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  chromiumPath,
  loadMnist,
  mnistDigit,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the test page puts on `window`. */
interface PageApi {
  adapter: typeof import('../src/index.js');
  core: typeof import('@crazy-digits/core');
  tf: typeof import('./page-tfjs.js');
}

declare global {
  interface Window {
    persistenceTest: PageApi;
  }
}

const PAGE = {
  'index.html': '<!doctype html><script type="module" src="/main.ts"></script>',
  'main.ts': `import * as adapter from '@crazy-digits/browser-adapter';
import * as core from '@crazy-digits/core';
import * as tf from 'page-tfjs';

window.persistenceTest = { adapter, core, tf };
`,
};

/** Loads tfjs, trains and reloads for real; a ceiling, not a measurement. */
const SLOW = 60_000;

/** MNIST digits outside the bundled rehearsal digits (the first 1,000), so no rehearsal digit is the same drawing. */
const train = loadMnist('train', 1010);
const digit = (i: number) => Array.from(mnistDigit(train, 1000 + i));
/** Each corrected to the next digit up: only the correction makes the recogniser say so. */
const corrections = [0, 1, 2, 3].map((i) => ({
  image: digit(i),
  label: ((train.labels[1000 + i] ?? 0) + 1) % 10,
}));
const untouched = digit(9);

const ready = (page: Page) => page.waitForFunction(() => window.persistenceTest !== undefined);

describe.skipIf(!chromiumPath)(`persistence in Chromium (${chromiumPath ?? noChromiumReason})`, () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    harness = await openBrowserPage({
      files: PAGE,
      aliases: { 'page-tfjs': fileURLToPath(new URL('./page-tfjs.ts', import.meta.url)) },
    });
    await ready(harness.page);
  }, 60_000);

  afterAll(async () => {
    expect(harness?.errors ?? []).toEqual([]);
    await harness?.close();
  });

  it(
    'loses no correction when two tabs add to the same store at once',
    async () => {
      const first = harness.page;
      const second = await first.context().newPage();
      second.on('pageerror', (error) => harness.errors.push(error));
      await second.goto(harness.url);
      await ready(second);

      const addAll = (page: Page, tab: string, startAt: number) =>
        page.evaluate(
          async ({ tab, startAt }) => {
            const { adapter } = window.persistenceTest;
            const store = await adapter.createIndexedDBCorrectionStore({
              name: 'two-tabs',
              fallback: 'throw',
            });
            // Both tabs start writing at the same moment, all their adds in flight together.
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
            const settled = await Promise.allSettled(
              Array.from({ length: 60 }, (_, i) =>
                store.add({
                  image: Float32Array.from({ length: 784 }, (_, p) => ((p * (i + 1)) % 89) / 89),
                  label: i % 10,
                  userId: tab,
                }),
              ),
            );
            await store.close();
            return {
              acknowledged: settled.flatMap((outcome) =>
                outcome.status === 'fulfilled' ? [outcome.value] : [],
              ),
              failures: settled.flatMap((outcome) =>
                outcome.status === 'rejected' ? [String(outcome.reason)] : [],
              ),
            };
          },
          { tab, startAt },
        );
      const startAt = Date.now() + 500;
      const [a, b] = await Promise.all([addAll(first, 'a', startAt), addAll(second, 'b', startAt)]);
      expect([...a.failures, ...b.failures]).toEqual([]);
      const acknowledged = [...a.acknowledged, ...b.acknowledged];
      expect(new Set(acknowledged).size).toBe(120);

      await Promise.all([first.reload(), second.reload()]);
      await Promise.all([ready(first), ready(second)]);
      const readBack = (page: Page) =>
        page.evaluate(async () => {
          const { adapter } = window.persistenceTest;
          const store = await adapter.createIndexedDBCorrectionStore({ name: 'two-tabs', fallback: 'throw' });
          const ids: string[] = [];
          for await (const correction of store.iterate()) ids.push(correction.id);
          const counts = { all: await store.count(), a: await store.count({ userId: 'a' }) };
          await store.close();
          return { ids, counts };
        });
      const seen = await Promise.all([readBack(first), readBack(second)]);
      await second.close();
      for (const { ids, counts } of seen) {
        expect(counts).toEqual({ all: acknowledged.length, a: a.acknowledged.length });
        expect(ids.slice().sort()).toEqual(acknowledged.slice().sort());
      }
    },
    SLOW,
  );

  it(
    'serves the personalised model again after a reload, corrections included',
    async () => {
      const { page } = harness;
      const before = await page.evaluate(
        async ({ wasmPaths, corrections, untouched }) => {
          const { adapter, core, tf } = window.persistenceTest;
          await core.useBackend('wasm', { wasmPaths });
          const tensorsAtStart = tf.memory().numTensors;
          const name = 'personalised';
          const store = await adapter.createIndexedDBCorrectionStore({ name, fallback: 'throw' });
          const modelStore = await adapter.createIndexedDBModelStore({ name, fallback: 'throw' });
          // A short run that the gate always accepts: this is about what is kept, not learnt.
          const retrainer = core.createRetrainer({
            maxSteps: 2,
            gate: { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 },
          });
          const recognizer = await core.createRecognizer({ store, modelStore, retrainer });
          const initialVersion = recognizer.modelVersion;
          for (const { image, label } of corrections)
            await recognizer.correct(Float32Array.from(image), label);
          const outcome = await recognizer.retrain();
          const predicted = [];
          for (const { image } of corrections)
            predicted.push((await recognizer.predict(Float32Array.from(image))).digit);
          const probabilities = (await recognizer.predict(Float32Array.from(untouched))).probabilities;
          const version = recognizer.modelVersion;
          recognizer.dispose();
          retrainer.dispose();
          await store.close();
          await modelStore.close();
          return {
            initialVersion,
            accepted: outcome.accepted,
            outcomeVersion: outcome.version,
            version,
            predicted,
            probabilities,
            leakedTensors: tf.memory().numTensors - tensorsAtStart,
          };
        },
        { wasmPaths: harness.wasmPaths, corrections, untouched },
      );
      expect(before.accepted).toBe(true);
      expect(before.version).toBe(before.outcomeVersion);
      expect(before.version).not.toBe(before.initialVersion);
      expect(before.predicted).toEqual(corrections.map((c) => c.label));
      expect(before.leakedTensors).toBe(0);

      await page.reload();
      await ready(page);
      const after = await page.evaluate(
        async ({ wasmPaths, corrections, untouched }) => {
          const { adapter, core, tf } = window.persistenceTest;
          await core.useBackend('wasm', { wasmPaths });
          const tensorsAtStart = tf.memory().numTensors;
          const name = 'personalised';
          const store = await adapter.createIndexedDBCorrectionStore({ name, fallback: 'throw' });
          const modelStore = await adapter.createIndexedDBModelStore({ name, fallback: 'throw' });
          const recognizer = await core.createRecognizer({ store, modelStore });
          const predicted = [];
          for (const { image } of corrections)
            predicted.push((await recognizer.predict(Float32Array.from(image))).digit);
          const probabilities = (await recognizer.predict(Float32Array.from(untouched))).probabilities;
          const version = recognizer.modelVersion;
          recognizer.dispose();
          await store.close();
          await modelStore.close();
          return {
            version,
            predicted,
            probabilities,
            leakedTensors: tf.memory().numTensors - tensorsAtStart,
          };
        },
        { wasmPaths: harness.wasmPaths, corrections, untouched },
      );
      expect(after.version).toBe(before.version);
      expect(after.predicted).toEqual(corrections.map((c) => c.label));
      expect(after.leakedTensors).toBe(0);
      // The same weights: an uncorrected digit gets the same probabilities as before the reload.
      after.probabilities.forEach((p, i) => {
        expect(Math.abs(p - (before.probabilities[i] ?? Number.NaN))).toBeLessThanOrEqual(1e-5);
      });
    },
    SLOW,
  );
});
