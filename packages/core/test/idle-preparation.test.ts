import { expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRecognizer, type Recognizer } from '../src/index.js';
import { nextTask } from '../src/next-task.js';
import { bundledDigits } from '../src/retrain/rehearsal-set.js';

const mnist = loadMnist('test', 10);

/** A page's `requestIdleCallback`: the callbacks wait until the test says the page is idle. */
function stubPageIdle() {
  const waiting: (() => void)[] = [];
  vi.stubGlobal('requestIdleCallback', (callback: () => void) => waiting.push(callback));
  return {
    pending: () => waiting.length,
    idle: () => {
      for (const callback of waiting.splice(0)) callback();
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Corrects `input` to a label the recogniser does not give it and returns what it predicts after. */
async function correctAndPredict(recognizer: Recognizer, input: Float32Array) {
  const label = ((await recognizer.predict(input)).digit + 3) % 10;
  await recognizer.correct(input, label);
  return { label, after: (await recognizer.predict(input)).digit };
}

describe('a recogniser on a page, which prepares for corrections when the page is idle', () => {
  it('asks for idle time at load and takes the first correction at once afterwards', async () => {
    const page = stubPageIdle();
    const recognizer = await createRecognizer();
    try {
      expect(page.pending()).toBeGreaterThan(0);
      page.idle();
      const { label, after } = await correctAndPredict(recognizer, mnistDigit(mnist, 0));
      expect(after).toBe(label);
      // Other digits are still read as themselves.
      expect((await recognizer.predict(mnistDigit(mnist, 1))).digit).toBe(mnist.labels[1]);
    } finally {
      recognizer.dispose();
    }
  });

  it('takes a correction made while it is still preparing', async () => {
    const page = stubPageIdle();
    const recognizer = await createRecognizer();
    try {
      page.idle();
      const { label, after } = await correctAndPredict(recognizer, mnistDigit(mnist, 2));
      expect(after).toBe(label);
    } finally {
      recognizer.dispose();
    }
  });

  it('stops preparing when disposed, leaving no tensors and no error behind', async () => {
    const page = stubPageIdle();
    await expectNoLeakedTensors(async () => {
      const recognizer = await createRecognizer();
      page.idle();
      recognizer.dispose();
      // Past the point where the preparation would run its first batch.
      await bundledDigits();
      for (let i = 0; i < 5; i++) await nextTask();
    });
  });
});
