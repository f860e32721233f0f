import {
  drawDigitOnCanvas,
  expectNoLeakedTensors,
  loadMnist,
  mnistDigit,
  shiftDigit,
} from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryCorrectionStore, createRecognizer, type Recognizer, useBackend } from '../src/index.js';
import { InvalidCorrectionError, RecognizerDisposedError } from '../src/store-kit.js';

const mnist = loadMnist('test', 700);
const opened: Recognizer[] = [];

async function open(options: Parameters<typeof createRecognizer>[0] = {}): Promise<Recognizer> {
  const recognizer = await createRecognizer(options);
  opened.push(recognizer);
  return recognizer;
}

afterEach(() => {
  for (const recognizer of opened.splice(0)) recognizer.dispose();
});

/** A label the model does not give this input, so the correction has to change the answer. */
async function wrongLabelFor(recognizer: Recognizer, input: Float32Array): Promise<number> {
  return ((await recognizer.predict(input)).digit + 3) % 10;
}

describe('recognizer.correct', () => {
  it('takes effect at once: the corrected drawing is predicted as its new label', async () => {
    const recognizer = await open();
    for (let i = 0; i < 20; i++) {
      const input = mnistDigit(mnist, i);
      const label = await wrongLabelFor(recognizer, input);
      await recognizer.correct(input, label);
      const after = await recognizer.predict(input);
      expect(after.digit).toBe(label);
      expect(after.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it("lets the shifted copies of a sure reading the user overrides follow the correction, past the user's own readings", async () => {
    const recognizer = await open();
    // The user's own digits, read confidently and left: rivals of a correction to another digit.
    await recognizer.predictBatch(Array.from({ length: 200 }, (_, i) => mnistDigit(mnist, 300 + i)));
    let followed = 0;
    let shifted = 0;
    for (let i = 0, overridden = 0; overridden < 20; i++) {
      const digit = mnistDigit(mnist, i);
      const { probabilities, confidence } = await recognizer.predict(digit);
      if (confidence < 0.9) continue;
      overridden++;
      const ranked = probabilities.map((p, d) => [p, d] as const).sort((a, b) => b[0] - a[0]);
      const runnerUp = ranked[1]?.[1] ?? 0;
      const { id } = await recognizer.correct(digit, runnerUp);
      const copies = [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
        [2, 0],
        [0, 2],
      ].map(([dx, dy]) => shiftDigit(digit, dx ?? 0, dy ?? 0));
      for (const prediction of await recognizer.predictBatch(copies)) {
        shifted++;
        if (prediction.digit === runnerUp) followed++;
      }
      await recognizer.removeCorrection(id);
    }
    // The network read each of them confidently, and the user overrode it on purpose: as small
    // variants of a relabelled glyph, most follow. (Without the margin past the readings, under
    // half did.)
    expect(followed / shifted).toBeGreaterThanOrEqual(0.85);
  });

  it('works on canvas input as drawn, and stores the normalised image with what it corrected', async () => {
    const store = createMemoryCorrectionStore();
    const recognizer = await open({ store, userId: 'ada' });
    const canvas = drawDigitOnCanvas(mnistDigit(mnist, 3), { size: 0.5 });
    const before = await recognizer.predict(canvas);
    const label = (before.digit + 1) % 10;
    const { id } = await recognizer.correct(canvas, label, { sessionId: 'tab-1' });
    expect((await recognizer.predict(canvas)).digit).toBe(label);
    const stored = await store.get(id);
    expect(stored?.label).toBe(label);
    expect(stored?.image).toEqual(before.preprocessed.pixels);
    expect(stored?.predicted?.digit).toBe(before.digit);
    expect(stored?.modelVersion).toBe(recognizer.modelVersion);
    expect(stored?.userId).toBe('ada');
    expect(stored?.sessionId).toBe('tab-1');
  });

  it('leaves digits unlike the corrected ones alone', async () => {
    const recognizer = await open();
    // Correct thirty 7s as 1s; digits of every other class must keep their answers.
    const sevens = Array.from({ length: mnist.count }, (_, i) => i)
      .filter((i) => mnist.labels[i] === 7)
      .slice(0, 30);
    const others = Array.from({ length: mnist.count }, (_, i) => i).filter(
      (i) => mnist.labels[i] !== 7 && mnist.labels[i] !== 1,
    );
    const inputs = others.map((i) => mnistDigit(mnist, i));
    const before = (await recognizer.predictBatch(inputs)).map((p) => p.digit);
    for (const i of sevens) await recognizer.correct(mnistDigit(mnist, i), 1);
    const after = (await recognizer.predictBatch(inputs)).map((p) => p.digit);
    const changed = after.filter((digit, i) => digit !== before[i]).length;
    expect(changed / inputs.length).toBeLessThanOrEqual(0.005);
  }, 60_000); // ~1,000 predictions and the rehearsal digits' features: a ceiling for busy machines

  it('applies stored corrections when a recognizer opens on the store, scoped by user', async () => {
    const store = createMemoryCorrectionStore();
    const first = await open({ store, userId: 'ada' });
    const input = mnistDigit(mnist, 5);
    const label = await wrongLabelFor(first, input);
    await first.correct(input, label);
    const reopened = await open({ store, userId: 'ada' });
    expect((await reopened.predict(input)).digit).toBe(label);
    const someoneElse = await open({ store, userId: 'bob' });
    expect((await someoneElse.predict(input)).digit).not.toBe(label);
  });

  it('holds a stored correction the weights already get right for its own drawing only on a reopened recogniser', async () => {
    const store = createMemoryCorrectionStore();
    const first = await open({ store });
    // A digit the model gets right without being sure of it: a correction to its own label pulls.
    let index = 0;
    let own = await first.predict(mnistDigit(mnist, index));
    while (own.digit !== mnist.labels[index] || own.confidence > 0.99) {
      index++;
      own = await first.predict(mnistDigit(mnist, index));
    }
    const input = mnistDigit(mnist, index);
    await first.correct(input, own.digit);
    expect((await first.predict(input)).confidence).toBeGreaterThan(own.confidence);
    const corrected = await first.predict(input);
    // Reopened, the weights get it right themselves: it keeps its own drawing as it was and
    // reaches no other (held for label agreement), so a drawing one pixel off reads as the
    // network alone reads it.
    const reopened = await open({ store });
    expect((await reopened.predict(input)).probabilities).toEqual(corrected.probabilities);
    const shifted = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) if (i % 28 !== 0) shifted[i] = input[i - 1] ?? 0;
    const plain = await open();
    expect((await reopened.predict(shifted)).probabilities).toEqual(
      (await plain.predict(shifted)).probabilities,
    );
  });

  it('removeCorrection undoes the effect and the stored record', async () => {
    const recognizer = await open();
    const input = mnistDigit(mnist, 8);
    const original = (await recognizer.predict(input)).digit;
    const { id } = await recognizer.correct(input, (original + 5) % 10);
    expect(await recognizer.removeCorrection(id)).toBe(true);
    expect((await recognizer.predict(input)).digit).toBe(original);
    expect(await recognizer.store.count()).toBe(0);
    expect(await recognizer.removeCorrection(id)).toBe(false);
  });

  it('rejects a bad label or image with typed errors and stores nothing', async () => {
    const recognizer = await open();
    for (const label of [10, -1, 2.5, Number.NaN]) {
      await expect(recognizer.correct(mnistDigit(mnist, 0), label)).rejects.toBeInstanceOf(
        InvalidCorrectionError,
      );
    }
    await expect(recognizer.correct(new Float32Array(5), 1)).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    expect(await recognizer.store.count()).toBe(0);
  });

  it('leaks no tensors across corrections, and frees all it holds on dispose', async () => {
    await useBackend('wasm');
    const baseline = tf.memory().numTensors;
    const recognizer = await open();
    // The first correction and prediction make what the recogniser keeps while it lives (the
    // model, the corrections' features on the backend); after that, nothing grows.
    await recognizer.correct(mnistDigit(mnist, 0), 3);
    await recognizer.predict(mnistDigit(mnist, 0));
    await expectNoLeakedTensors(async () => {
      for (let i = 1; i < 50; i++) await recognizer.correct(mnistDigit(mnist, i), i % 10);
      await recognizer.predict(mnistDigit(mnist, 0));
      await recognizer.predictBatch([mnistDigit(mnist, 1), mnistDigit(mnist, 2)]);
      await recognizer.removeCorrection((await recognizer.correct(mnistDigit(mnist, 60), 2)).id);
      await recognizer.predict(mnistDigit(mnist, 0));
    });
    recognizer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    await expect(recognizer.correct(mnistDigit(mnist, 0), 1)).rejects.toBeInstanceOf(RecognizerDisposedError);
  });
});
