import { expectCode, expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundledDigits,
  createMemoryModelStore,
  createRecognizer,
  createRetrainer,
  disputedCorrections,
  gateVerdict,
  type LabelledDigit,
  type RecognizerEvents,
  type Retrainer,
  type RetrainProgress,
  useBackend,
} from '../src/index.js';
import { embeddedToArtifacts } from '../src/model/bundle.js';
import { bundledModel } from '../src/model/bundled-model.generated.js';
import { decodeDigits, encodeDigits } from '../src/retrain/digit-codec.js';

/** Model loads and training steps run for real; a ceiling for slow machines, not a measurement. */
const SLOW = 120_000;
const base = embeddedToArtifacts(bundledModel);
const train = loadMnist('train', 200);
const digits = (from: number, count: number, label?: (truth: number) => number): LabelledDigit[] =>
  Array.from({ length: count }, (_, i) => {
    const truth = train.labels[from + i] ?? 0;
    return { image: mnistDigit(train, from + i), label: label ? label(truth) : truth };
  });

/** Few steps: these tests check behaviour, the benchmarks measure quality. */
let retrainer: Retrainer;
beforeAll(async () => {
  await useBackend('wasm');
  retrainer = createRetrainer({ minSteps: 6, maxSteps: 6 });
});
afterAll(() => retrainer.dispose());

describe('the bundled digits', () => {
  it('decode to 1,000 balanced replay digits and 2,000 held-out test digits', async () => {
    const { replay, validation } = await bundledDigits();
    expect(replay.labels.length).toBe(1000);
    expect(replay.images.length).toBe(1000 * 784);
    for (let digit = 0; digit < 10; digit++)
      expect(replay.labels.filter((l) => l === digit).length).toBe(100);
    const test = loadMnist('test', 2000);
    expect(Array.from(validation.labels)).toEqual(Array.from(test.labels));
    // Quantised to 16 levels: every pixel within half a level of the original.
    for (let i = 0; i < 784 * 20; i++)
      expect(Math.abs((validation.images[i] ?? 0) - (test.images[i] ?? 0) / 255)).toBeLessThanOrEqual(
        1 / 30 + 1e-6,
      );
  });

  it('round-trip through the codec, and damaged data is a typed error', () => {
    const images = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 7 === 0 ? (i % 16) / 15 : 0));
    expect(Array.from(decodeDigits(encodeDigits(images), 3))).toEqual(Array.from(images));
    expect(() => decodeDigits(encodeDigits(images), 4)).toThrow(
      expect.objectContaining({ code: 'DIGIT_CODEC' }),
    );
  });
});

describe('the validation gate', () => {
  const evaluation = (accuracy: number, recall = 0.99) => ({
    accuracy,
    recall: new Array<number>(10).fill(recall),
    count: 1000,
  });

  it('accepts a candidate within the limits', () => {
    expect(gateVerdict(evaluation(0.99), evaluation(0.986), 1)).toBeUndefined();
  });

  it('rejects more than half a point of accuracy lost overall', () => {
    expect(gateVerdict(evaluation(0.99), evaluation(0.984), 1)).toMatch(/accuracy fell by 0.60 points/);
  });

  it('rejects more than two points lost on any one digit', () => {
    const candidate = evaluation(0.99);
    candidate.recall[3] = 0.965;
    expect(gateVerdict(evaluation(0.99), candidate, 1)).toMatch(/recall of 3 fell by 2.50 points/);
  });

  it('rejects a candidate that did not learn the corrections', () => {
    expect(gateVerdict(evaluation(0.99), evaluation(0.99), 0.5)).toMatch(/corrections right/);
  });
});

describe('label agreement', () => {
  it('outvotes corrections whose close neighbours carry one other label, and keeps the rest', () => {
    const unit = (angle: number) => Float32Array.from([Math.cos(angle), Math.sin(angle), 0]);
    // Ten near-identical drawings: seven labelled 3, three labelled 8; one far-away drawing alone.
    const features = [...Array.from({ length: 10 }, (_, i) => unit(i * 0.01)), unit(Math.PI / 2)];
    const labels = [3, 3, 3, 3, 3, 3, 3, 8, 8, 8, 5];
    expect([...disputedCorrections(features, labels)].sort()).toEqual([7, 8, 9]);
  });
});

describe('createRetrainer', () => {
  it(
    'fine-tunes a copy of the model on corrections, gates it, and leaves no tensors behind',
    async () => {
      const progress: RetrainProgress[] = [];
      const result = await expectNoLeakedTensors(() =>
        retrainer.retrain({ base, corrections: digits(0, 12), onProgress: (p) => progress.push(p) }),
      );
      expect(result.accepted).toBe(true);
      expect(result.reason).toBeUndefined();
      expect(result.metrics).toMatchObject({ correctionsUsed: 12, correctionsDisputed: 0, steps: 6 });
      expect(result.metrics.correctionsFit).toBe(1);
      expect(result.metrics.baseAccuracy).toBeGreaterThan(0.99);
      expect(result.metrics.accuracy).toBeGreaterThan(result.metrics.baseAccuracy - 0.005);
      expect(result.metrics.recall).toHaveLength(10);
      expect(progress.map((p) => p.phase)).toEqual([
        'preparing',
        ...new Array<string>(6).fill('training'),
        'validating',
        'validating',
      ]);
      expect(progress.at(-1)?.fraction).toBe(1);
      const candidate = await tf.loadLayersModel(tf.io.fromMemory(result.artifacts));
      expect(candidate.outputs[0]?.shape).toEqual([null, 10]);
      candidate.dispose();
    },
    SLOW,
  );

  it(
    'is rejected by a gate it cannot pass, and says why',
    async () => {
      const strict = createRetrainer({ minSteps: 2, maxSteps: 2, gate: { minCorrectionsFit: 1.01 } });
      const result = await strict.retrain({ base, corrections: digits(0, 4) });
      expect(result.accepted).toBe(false);
      expect(result.reason).toMatch(/gets 100.00 points of the corrections right/);
    },
    SLOW,
  );

  it(
    'stops when its signal aborts, with the reason and no leaked tensors',
    async () => {
      const controller = new AbortController();
      const reason = new Error('user cancelled');
      await expectNoLeakedTensors(async () => {
        const run = retrainer.retrain({
          base,
          corrections: digits(0, 8),
          signal: controller.signal,
          onProgress: (p) => {
            if (p.step === 2) controller.abort(reason);
          },
        });
        await expect(run).rejects.toBe(reason);
      });
    },
    SLOW,
  );

  it('needs corrections, and fullData for a full retrain (typed errors)', async () => {
    await expectCode(retrainer.retrain({ base, corrections: [] }), 'NO_CORRECTIONS');
    await expectCode(retrainer.retrain({ base, corrections: digits(0, 2), mode: 'full' }), 'RETRAIN_CONFIG');
    const disposed = createRetrainer();
    disposed.dispose();
    await expectCode(disposed.retrain({ base, corrections: digits(0, 2) }), 'RETRAINER_DISPOSED');
  });

  it(
    'full mode trains the same architecture from scratch on fullData plus the corrections',
    async () => {
      const full = createRetrainer({
        fullData: {
          images: Float32Array.from(train.images.subarray(0, 128 * 784), (v) => v / 255),
          labels: train.labels.slice(0, 128),
        },
        fullEpochs: 1,
      });
      const progress: RetrainProgress[] = [];
      const result = await expectNoLeakedTensors(() =>
        full.retrain({
          base,
          corrections: digits(150, 8),
          mode: 'full',
          onProgress: (p) => progress.push(p),
        }),
      );
      // Two steps from scratch cannot match the shipped model: the gate must say so.
      expect(result.accepted).toBe(false);
      expect(result.reason).toMatch(/held-out accuracy fell/);
      expect(progress.filter((p) => p.phase === 'training').at(-1)).toMatchObject({ step: 2, totalSteps: 2 });
    },
    SLOW,
  );
});

describe('recognizer.retrain', () => {
  it(
    'serves the accepted candidate as a new stored version, keeps the old one for rollback, and emits events',
    async () => {
      const modelStore = createMemoryModelStore();
      const recognizer = await createRecognizer({ modelStore, retrainer });
      const seen: Array<keyof RecognizerEvents> = [];
      for (const type of ['correction', 'retrain-start', 'retrain-finished', 'model-change'] as const)
        recognizer.on(type, () => seen.push(type));
      const baseline = tf.memory().numTensors;
      for (const digit of digits(20, 6)) await recognizer.correct(digit.image, digit.label);
      const outcome = await recognizer.retrain();
      expect(outcome).toMatchObject({ accepted: true, corrections: 6 });
      expect(recognizer.modelVersion).toBe(outcome.version);
      expect(seen).toEqual([
        ...new Array(6).fill('correction'),
        'retrain-start',
        'model-change',
        'retrain-finished',
      ]);
      const versions = await recognizer.versions();
      expect(versions.map((v) => v.version)).toEqual([expect.any(String), outcome.version]);
      expect(versions[0]?.note).toContain(bundledModel.version);
      expect(versions[1]).toMatchObject({ parent: bundledModel.version, metrics: { corrections: 6 } });
      // The swapped model still answers, corrections still in effect, and no tensors leaked.
      const corrected = digits(20, 6);
      for (const digit of corrected) expect((await recognizer.predict(digit.image)).digit).toBe(digit.label);
      expect(tf.memory().numTensors).toBe(baseline);

      // A new recogniser on the same store serves the retrained version.
      const reopened = await createRecognizer({ modelStore });
      expect(reopened.modelVersion).toBe(outcome.version);
      reopened.dispose();

      expect(await recognizer.rollback()).toBe(versions[0]?.version);
      expect(recognizer.modelVersion).toBe(versions[0]?.version);
      expect(await recognizer.rollback()).toBeUndefined();
      const reset = await recognizer.resetModel();
      expect(recognizer.modelVersion).toBe(reset);
      expect((await modelStore.current())?.version).toBe(reset);
      expect(tf.memory().numTensors).toBe(baseline);
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'keeps serving the old model when the gate rejects, and reports why',
    async () => {
      const strict = createRetrainer({ minSteps: 2, maxSteps: 2, gate: { maxAccuracyDrop: -1 } });
      const recognizer = await createRecognizer({ retrainer: strict });
      const rejected: string[] = [];
      recognizer.on('retrain-rejected', (outcome) => rejected.push(outcome.reason ?? ''));
      await recognizer.correct(mnistDigit(train, 0), train.labels[0] ?? 0);
      const outcome = await recognizer.retrain();
      expect(outcome.accepted).toBe(false);
      expect(outcome.version).toBe(bundledModel.version);
      expect(recognizer.modelVersion).toBe(bundledModel.version);
      expect(rejected).toEqual([outcome.reason]);
      expect(await recognizer.versions()).toEqual([]);
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'answers predictions during a retrain, and corrections made meanwhile go into the next run',
    async () => {
      const recognizer = await createRecognizer({ retrainer });
      for (const digit of digits(40, 3)) await recognizer.correct(digit.image, digit.label);
      const first = recognizer.retrain();
      expect(recognizer.retraining).toBe(true);
      const late = digits(60, 2);
      for (const digit of late) {
        await recognizer.correct(digit.image, digit.label);
        expect((await recognizer.predict(digit.image)).digit).toBe(digit.label);
      }
      const second = recognizer.retrain();
      expect((await first).corrections).toBe(3);
      expect((await second).corrections).toBe(5);
      expect(recognizer.retraining).toBe(false);
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'retrains by itself under an automatic policy once corrections settle',
    async () => {
      const recognizer = await createRecognizer({
        retrainer,
        retrain: { afterCorrections: 2, debounceMs: 20 },
      });
      // The gate's verdict does not matter here, only that the run started by itself.
      const ended = new Promise<RecognizerEvents['retrain-finished']>((resolve, reject) => {
        recognizer.on('retrain-finished', resolve);
        recognizer.on('retrain-rejected', resolve);
        recognizer.on('retrain-failed', ({ error }) => reject(error));
      });
      await recognizer.correct(mnistDigit(train, 80), train.labels[80] ?? 0);
      expect(recognizer.retraining).toBe(false);
      await recognizer.correct(mnistDigit(train, 81), train.labels[81] ?? 0);
      expect(recognizer.retraining).toBe(false); // debounced, not yet started
      expect((await ended).corrections).toBe(2);
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'cancels a running retrain on dispose and leaves no tensors behind',
    async () => {
      await expectNoLeakedTensors(async () => {
        const recognizer = await createRecognizer({ retrainer });
        const failed: unknown[] = [];
        recognizer.on('retrain-failed', ({ error }) => failed.push(error));
        await recognizer.correct(mnistDigit(train, 90), train.labels[90] ?? 0);
        const run = recognizer.retrain();
        recognizer.dispose();
        await expectCode(run, 'RECOGNIZER_DISPOSED');
        await expectCode(recognizer.retrain(), 'RECOGNIZER_DISPOSED');
      });
    },
    SLOW,
  );

  it('rejects a bad policy with a RangeError', async () => {
    await expect(createRecognizer({ retrain: { afterCorrections: 0 } })).rejects.toThrow(RangeError);
  });
});
