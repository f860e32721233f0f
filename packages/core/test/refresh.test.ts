import { expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryCorrectionStore,
  createMemoryModelStore,
  createRecognizer,
  type Recognizer,
  type RecognizerEvents,
} from '../src/index.js';
import { RecognizerDisposedError } from '../src/store-kit.js';

const mnist = loadMnist('test', 40);
const opened: Recognizer[] = [];

afterEach(() => {
  for (const recognizer of opened.splice(0)) recognizer.dispose();
});

/** Two recognisers on one pair of stores, as two processes sharing a database would be. */
async function pair(userId?: string) {
  const store = createMemoryCorrectionStore();
  const modelStore = createMemoryModelStore();
  const options = { store, modelStore, ...(userId ? { userId } : {}) };
  const a = await createRecognizer(options);
  const b = await createRecognizer(options);
  opened.push(a, b);
  return { a, b, store, modelStore };
}

describe('recognizer.refresh', () => {
  it("makes another recogniser's correction count here, and its removal stop counting", async () => {
    const { a, b } = await pair();
    const input = mnistDigit(mnist, 0);
    const before = (await b.predict(input)).digit;
    const label = (before + 3) % 10;
    const { id } = await a.correct(input, label);
    expect((await b.predict(input)).digit).toBe(before);
    await b.refresh({ added: [id] });
    expect((await b.predict(input)).digit).toBe(label);
    // Twice is harmless.
    await b.refresh({ added: [id] });
    await a.removeCorrection(id);
    const removed: string[] = [];
    b.on('correction-removed', (event) => removed.push(event.id));
    await b.refresh({ removed: [id] });
    expect(removed).toEqual([id]);
    expect((await b.predict(input)).digit).toBe(before);
  });

  it('compares the whole store when told nothing, and keeps to its user', async () => {
    const { a, b, store } = await pair('ada');
    const input = mnistDigit(mnist, 1);
    const label = ((await b.predict(input)).digit + 4) % 10;
    await a.correct(input, label);
    // Someone else's correction of the same drawing is not Ada's.
    const other = await store.add({
      image: (await b.predict(input)).preprocessed.pixels,
      label: (label + 1) % 10,
      userId: 'bob',
    });
    await b.refresh({ added: [other] });
    expect((await b.predict(input)).digit).not.toBe((label + 1) % 10);
    await b.refresh();
    expect((await b.predict(input)).digit).toBe(label);
  });

  it('serves the version another recogniser made current, and leaks no tensors doing so', async () => {
    const { a, b } = await pair();
    await b.predict(mnistDigit(mnist, 2));
    await expectNoLeakedTensors(async () => {
      const version = await a.resetModel();
      const changes: Array<RecognizerEvents['model-change']> = [];
      b.on('model-change', (event) => changes.push(event));
      await b.refresh({ added: [] });
      expect(b.modelVersion).toBe(version);
      expect(changes).toEqual([{ version, cause: 'refresh' }]);
      await b.refresh({ added: [] });
      expect(changes).toHaveLength(1);
    });
  });

  it('refuses after dispose', async () => {
    const { b } = await pair();
    b.dispose();
    await expect(b.refresh()).rejects.toBeInstanceOf(RecognizerDisposedError);
  });
});
