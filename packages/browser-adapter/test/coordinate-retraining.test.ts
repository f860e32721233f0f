import {
  createMemoryModelStore,
  createRecognizer,
  type Recognizer,
  type RecognizerEvents,
  type Retrainer,
  useBackend,
} from '@crazy-digits/core';
import { loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { coordinateRetraining, type RetrainCoordinator } from '../src/index.js';

/** Loads two recognisers; a ceiling for slow machines, not a measurement. */
const SLOW = 60_000;
const train = loadMnist('train', 4);

/** Accepts its base as the candidate at once: these tests are about versions, not training. */
const instantRetrainer: Retrainer = {
  async retrain({ base, corrections }) {
    return {
      accepted: true,
      candidate: base,
      metrics: {
        baseAccuracy: 1,
        accuracy: 1,
        baseRecall: new Array<number>(10).fill(1),
        recall: new Array<number>(10).fill(1),
        correctionsFit: 1,
        correctionsUsed: corrections.length,
        correctionsDisputed: 0,
        steps: 0,
        durationMs: 0,
      },
    };
  },
  dispose() {},
};

/** The next 'model-change' of `recognizer`. */
const nextChange = (recognizer: Recognizer) =>
  new Promise<RecognizerEvents['model-change']>((resolve) => {
    const off = recognizer.on('model-change', (event) => {
      off();
      resolve(event);
    });
  });

let open: { recognizer: Recognizer; coordinator: RetrainCoordinator }[] = [];

/** A "tab": its own recogniser on the shared model store, coordinated under one name. */
async function tab(modelStore: ReturnType<typeof createMemoryModelStore>, name = 'shared') {
  const recognizer = await createRecognizer({ modelStore, retrainer: instantRetrainer });
  await recognizer.correct(mnistDigit(train, open.length), train.labels[open.length] ?? 0);
  const coordinator = coordinateRetraining(recognizer, {
    name,
    onError: (error) => expect.fail(String(error)),
  });
  open.push({ recognizer, coordinator });
  return { recognizer, coordinator };
}

beforeAll(() => useBackend('wasm'));
afterEach(() => {
  for (const { recognizer, coordinator } of open) {
    coordinator.close();
    recognizer.dispose();
  }
  open = [];
});

describe('coordinateRetraining', () => {
  it(
    'announces a new served version and the other tabs serve it',
    async () => {
      const modelStore = createMemoryModelStore();
      const a = await tab(modelStore);
      const b = await tab(modelStore);
      // Node has BroadcastChannel but no Web Locks: the documented fallback.
      expect(a.coordinator).toMatchObject({ broadcasting: true, locking: false });

      const followed = nextChange(b.recognizer);
      const outcome = await a.coordinator.retrain();
      expect(outcome.accepted).toBe(true);
      expect(await followed).toEqual({ version: outcome.version, cause: 'rollback' });
      expect(b.recognizer.modelVersion).toBe(outcome.version);

      // A rollback in one tab is followed too.
      const before = (await modelStore.list()).at(0)?.version ?? '';
      const back = nextChange(b.recognizer);
      await a.recognizer.rollback(before);
      expect(await back).toEqual({ version: before, cause: 'rollback' });
    },
    SLOW,
  );

  it(
    'starts a run from the newest stored version, even when the announcement was missed',
    async () => {
      const modelStore = createMemoryModelStore();
      const a = await tab(modelStore);
      const b = await tab(modelStore);
      b.coordinator.close();
      const first = await a.coordinator.retrain();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(b.recognizer.modelVersion).not.toBe(first.version);

      const again = coordinateRetraining(b.recognizer, { name: 'other' });
      open.push({ recognizer: b.recognizer, coordinator: again });
      const second = await again.retrain();
      const saved = (await modelStore.list()).find((v) => v.version === second.version);
      expect(saved?.parent).toBe(first.version);
    },
    SLOW,
  );

  it(
    'does not hear tabs coordinating under another name',
    async () => {
      const a = await tab(createMemoryModelStore(), 'one');
      const b = await tab(createMemoryModelStore(), 'two');
      const served = b.recognizer.modelVersion;
      await a.coordinator.retrain();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(b.recognizer.modelVersion).toBe(served);
    },
    SLOW,
  );
});
