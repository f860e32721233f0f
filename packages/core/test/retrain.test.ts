import {
  createWriter,
  expectCode,
  expectNoLeakedTensors,
  loadMnist,
  mnistDigit,
} from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createMemoryCorrectionStore,
  createMemoryModelStore,
  createRecognizer,
  createRetrainer,
  type Recognizer,
  type RecognizerEvents,
  type Retrainer,
  type RetrainProgress,
  useBackend,
} from '../src/index.js';
import { loadBundledModel } from '../src/model/bundled-model.js';
import { featuresOf, meanOf, withFeatures } from '../src/model/features.js';
import { createDigitModel } from '../src/model/index.js';
import { frozenNetwork, inferenceNetwork, splitNetwork } from '../src/model/inference.js';
import { importModel } from '../src/model/serialize.js';
import { disputedCorrections } from '../src/retrain/agreement.js';
import { decodeDigits, encodeDigits } from '../src/retrain/digit-codec.js';
import { gateVerdict } from '../src/retrain/gate.js';
import { fineTune, lastStageStart } from '../src/retrain/incremental.js';
import { knowledgeOf, withKnowledge } from '../src/retrain/knowledge.js';
import { evaluate, passOver } from '../src/retrain/passes.js';
import { bundledDigits } from '../src/retrain/rehearsal-set.js';
import { type BaseModel, type LabelledDigit, RetrainConfigError } from '../src/store-kit.js';

/** Model loads and training steps run for real; a ceiling for slow machines, not a measurement. */
const SLOW = 120_000;
const { manifest: bundledModel, artifacts: base } = await loadBundledModel();
const shippedBase = { artifacts: base };
const train = loadMnist('train', 200);
const digits = (from: number, count: number, label?: (truth: number) => number): LabelledDigit[] =>
  Array.from({ length: count }, (_, i) => {
    const truth = train.labels[from + i] ?? 0;
    return { image: mnistDigit(train, from + i), label: label ? label(truth) : truth };
  });

/** The image moved by one pixel left, right, up and down (blank edges). */
const shifted = (image: Float32Array): Float32Array[] =>
  [
    [0, -1],
    [0, 1],
    [-1, 0],
    [1, 0],
  ].map(([dy = 0, dx = 0]) => {
    const moved = new Float32Array(784);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const [fromY, fromX] = [y - dy, x - dx];
        if (fromY >= 0 && fromY < 28 && fromX >= 0 && fromX < 28)
          moved[y * 28 + x] = image[fromY * 28 + fromX] ?? 0;
      }
    return moved;
  });

/** The second most probable digit. */
const runnerUp = (probabilities: number[]) =>
  probabilities.map((p, digit) => [p, digit] as const).sort((a, b) => b[0] - a[0])[1]?.[1] ?? 0;

/** The largest absolute difference between two arrays, element by element. */
const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((worst, v, i) => Math.max(worst, Math.abs(v - (b[i] ?? Number.NaN))), 0);

/** A retrainer that accepts the weights it was given, fitting none of the corrections; counts its runs. */
function acceptingAsIs(runs: number[] = []): Retrainer {
  return {
    retrain: async (request) => {
      runs.push(request.corrections.length);
      return {
        accepted: true,
        candidate: request.base,
        metrics: {
          baseAccuracy: 0.99,
          accuracy: 0.99,
          baseRecall: new Array(10).fill(0.99),
          recall: new Array(10).fill(0.99),
          correctionsFit: 0,
          correctionsUsed: request.corrections.length,
          correctionsDisputed: 0,
          steps: 0,
          durationMs: 0,
        },
      };
    },
    dispose: () => undefined,
  };
}

/** Few steps: these tests check behaviour, the benchmarks measure quality. */
let retrainer: Retrainer;
beforeAll(async () => {
  await useBackend('wasm');
  retrainer = createRetrainer({ maxSteps: 6 });
});
afterAll(() => retrainer.dispose());

describe('the bundled digits', () => {
  it('decode to 1,000 balanced rehearsal digits and 2,000 held-out test digits', async () => {
    const { rehearsal, validation } = await bundledDigits();
    expect(rehearsal.labels.length).toBe(1000);
    expect(rehearsal.images.length).toBe(1000 * 784);
    for (let digit = 0; digit < 10; digit++)
      expect(rehearsal.labels.filter((l) => l === digit).length).toBe(100);
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

describe('the inference network (batch norm folded into the convolutions)', () => {
  const images = Float32Array.from(train.images.subarray(0, 16 * 784), (v) => v / 255);

  /** Features and probabilities of `images` through `model`'s layers and through the network. */
  const bothWays = (model: tf.LayersModel) =>
    tf.tidy(() => {
      const x = tf.tensor4d(images, [16, 28, 28, 1]);
      const [features, probabilities] = withFeatures(model).predict(x) as tf.Tensor[];
      const folded = inferenceNetwork(model)(x);
      return {
        layers: [features?.dataSync() ?? [], probabilities?.dataSync() ?? []],
        folded: [folded.features.dataSync(), folded.probabilities.dataSync()],
      };
    });

  it('computes what the layers compute, for the shipped, the seed and a functional model', async () => {
    const shipped = await importModel(base);
    const seed = createDigitModel({ architecture: 'seed' });
    const functional = tf.model({ inputs: shipped.inputs, outputs: shipped.outputs });
    await expectNoLeakedTensors(() => {
      for (const model of [shipped, seed, functional]) {
        const { layers, folded } = bothWays(model);
        expect(maxDifference(folded[0] ?? [], layers[0] ?? [])).toBeLessThan(1e-4);
        expect(maxDifference(folded[1] ?? [], layers[1] ?? [])).toBeLessThan(1e-5);
      }
    });
    shipped.dispose();
    seed.dispose();
  });

  it('frozen (kernels folded once), computes the same and frees its kernels on dispose', async () => {
    const model = await importModel(base);
    await expectNoLeakedTensors(() => {
      const frozen = frozenNetwork(model);
      const [live, once] = tf.tidy(() => {
        const x = tf.tensor4d(images, [16, 28, 28, 1]);
        return [inferenceNetwork(model)(x).probabilities.dataSync(), frozen(x).probabilities.dataSync()];
      });
      frozen.dispose();
      expect(maxDifference(once ?? [], live ?? [])).toBeLessThan(1e-6);
    });
    model.dispose();
  });

  it('gives the same gradients as training through the layers in inference mode', async () => {
    const model = await importModel(base);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const labels = tf.tidy(() =>
      tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, 16)), 'int32'), 10),
    );
    const gradients = (forward: (x: tf.Tensor4D) => tf.Tensor) =>
      tf.tidy(() => {
        const x = tf.tensor4d(images, [16, 28, 28, 1]);
        const { grads } = tf.variableGrads(
          () => tf.mean(tf.metrics.categoricalCrossentropy(labels, forward(x))),
          variables,
        );
        return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, g.dataSync()]));
      });
    const viaLayers = gradients((x) => model.apply(x, { training: false }) as tf.Tensor);
    const network = inferenceNetwork(model);
    const folded = await expectNoLeakedTensors(() => gradients((x) => network(x).probabilities));
    expect(Object.keys(folded).sort()).toEqual(Object.keys(viaLayers).sort());
    // Compared as a whole per variable (relative L2), not element by element: a ReLU whose input
    // is within rounding of zero can open in one network and stay shut in the other, which moves
    // every gradient below it by about a part in a thousand; a folding mistake moves them by tens
    // of percent.
    for (const [name, values] of Object.entries(viaLayers)) {
      const other = folded[name] ?? new Float32Array(values.length);
      let difference = 0;
      let norm = 0;
      values.forEach((v, i) => {
        difference += (v - (other[i] ?? 0)) ** 2;
        norm += v ** 2;
      });
      expect(Math.sqrt(difference / norm), name).toBeLessThan(1e-2);
    }
    labels.dispose();
    model.dispose();
  });

  it('cut at any layer, computes the same outputs and the same gradients of the layers after the cut', async () => {
    const model = await importModel(base);
    const labels = tf.tidy(() =>
      tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, 16)), 'int32'), 10),
    );
    const whole = inferenceNetwork(model);
    // Every cut: before the first layer, inside a conv–norm–relu block, at the last stage, before the classifier.
    for (const from of [0, 1, 2, 3, lastStageStart(model), model.layers.length - 1]) {
      const variables = model.layers
        .slice(from)
        .flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable));
      const run = (forward: (x: tf.Tensor4D) => tf.Tensor) =>
        tf.tidy(() => {
          const x = tf.tensor4d(images, [16, 28, 28, 1]);
          const { value, grads } = tf.variableGrads(
            () => tf.mean(tf.metrics.categoricalCrossentropy(labels, forward(x))),
            variables,
          );
          return {
            loss: value.dataSync()[0] ?? Number.NaN,
            grads: Object.values(grads).map((g) => g.dataSync()),
          };
        });
      const expected = run((x) => whole(x).probabilities);
      const split = splitNetwork(model, from);
      const frozenTeacher = splitNetwork(model, from, true);
      const actual = await expectNoLeakedTensors(() =>
        run((x) => {
          const hidden = split.frozen(x);
          // The frozen rest (a teacher's) computes what the trainable rest computes.
          const teacher = frozenTeacher.rest(hidden).probabilities.dataSync();
          const probabilities = split.rest(hidden).probabilities;
          expect(maxDifference(teacher, probabilities.dataSync())).toBeLessThan(1e-5);
          return probabilities;
        }),
      );
      expect(actual.loss).toBeCloseTo(expected.loss, 5);
      expect(actual.grads).toHaveLength(variables.length);
      actual.grads.forEach((values, i) => {
        const reference = expected.grads[i] ?? [];
        const scale = Array.from(reference).reduce((worst, v) => Math.max(worst, Math.abs(v)), 1e-6);
        expect(maxDifference(values, reference) / scale).toBeLessThan(1e-4);
      });
      split.dispose();
      frozenTeacher.dispose();
    }
    labels.dispose();
    model.dispose();
  });
});

describe('fineTune with known teacher answers', () => {
  it(
    'trains the same weights as asking the teacher every step, with no tensors left behind',
    async () => {
      const { rehearsal } = await bundledDigits();
      const teacher = await importModel(base);
      const { probabilities } = await passOver(inferenceNetwork(teacher), rehearsal.images);
      const weightsAfter = async (teacherAnswers?: Float32Array) => {
        const model = await importModel(base);
        await fineTune(model, digits(0, 8), rehearsal, {
          steps: 4,
          learningRate: 0.01,
          passes: 4,
          seed: 3,
          // A plain mean, so four steps move the weights far enough to compare the two runs.
          rehearsalWeight: 1,
          teacher,
          ...(teacherAnswers ? { teacherAnswers } : {}),
        });
        const values = model.getWeights().map((w) => w.dataSync());
        model.dispose();
        return values;
      };
      const before = teacher.getWeights().map((w) => w.dataSync());
      const live = await weightsAfter();
      const known = await expectNoLeakedTensors(() => weightsAfter(probabilities));
      // Compared on what training changed, so a wrong target anywhere would show.
      let change = 0;
      let difference = 0;
      live.forEach((values, w) => {
        values.forEach((v, i) => {
          change = Math.max(change, Math.abs(v - (before[w]?.[i] ?? Number.NaN)));
          difference = Math.max(difference, Math.abs(v - (known[w]?.[i] ?? Number.NaN)));
        });
      });
      expect(change).toBeGreaterThan(1e-4);
      expect(difference / change).toBeLessThan(1e-3);
      teacher.dispose();
    },
    SLOW,
  );
});

describe('how an incremental run shows corrections', () => {
  it(
    'shows corrections in every step, even where a few seen four times would leave steps without',
    async () => {
      const { rehearsal } = await bundledDigits();
      const model = await importModel(base);
      const shown: (number | undefined)[] = [];
      // 3 corrections seen four times are 12 views: over 24 steps, half the steps would show none.
      await fineTune(model, digits(0, 3), rehearsal, {
        steps: 24,
        learningRate: 0.01,
        passes: 4,
        seed: 3,
        onStep: (_, losses) => shown.push(losses.correctionLoss),
      });
      model.dispose();
      expect(shown).toHaveLength(24);
      for (const loss of shown) expect(loss !== undefined && Number.isFinite(loss)).toBe(true);
    },
    SLOW,
  );
});

describe('which layers an incremental run trains', () => {
  it('starts at the last strided convolution, or at the first layer of a network without one', () => {
    const compact = createDigitModel();
    const start = lastStageStart(compact);
    const layer = compact.layers[start];
    expect(layer?.getClassName()).toBe('Conv2D');
    expect(layer?.getConfig().strides).toEqual([2, 2]);
    const later = compact.layers.slice(start + 1).filter((l) => l.getClassName() === 'Conv2D');
    expect(later.map((l) => l.getConfig().strides)).toEqual([[1, 1]]);
    const seed = createDigitModel({ architecture: 'seed' });
    expect(lastStageStart(seed)).toBe(0);
    compact.dispose();
    seed.dispose();
  });

  it(
    'leaves the layers before the last stage as they were by default; trainFrom 0 trains them all',
    async () => {
      const { rehearsal } = await bundledDigits();
      const changedLayers = async (trainFrom?: number) => {
        const model = await importModel(base);
        const before = model.layers.map((l) => l.getWeights().map((w) => w.dataSync()));
        await fineTune(model, digits(0, 8), rehearsal, {
          steps: 2,
          learningRate: 0.01,
          passes: 4,
          seed: 3,
          ...(trainFrom === undefined ? {} : { trainFrom }),
        });
        const changed = model.layers.flatMap((layer, index) =>
          layer.getWeights().some((w, k) => w.dataSync().some((v, i) => v !== before[index]?.[k]?.[i]))
            ? [index]
            : [],
        );
        const start = lastStageStart(model);
        model.dispose();
        return { changed, start };
      };
      const byDefault = await changedLayers();
      expect(byDefault.changed.length).toBeGreaterThan(0);
      expect(Math.min(...byDefault.changed)).toBeGreaterThanOrEqual(byDefault.start);
      const all = await changedLayers(0);
      expect(Math.min(...all.changed)).toBeLessThan(byDefault.start);
    },
    SLOW,
  );
});

describe('createRetrainer', () => {
  it(
    'fine-tunes a copy of the model on corrections, gates it, and leaves no tensors behind',
    async () => {
      const progress: RetrainProgress[] = [];
      const result = await expectNoLeakedTensors(() =>
        retrainer.retrain({
          base: shippedBase,
          corrections: digits(0, 12),
          onProgress: (p) => progress.push(p),
        }),
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
      // Each training step reports its loss; the validating events carry the last one.
      expect(progress[0]?.loss).toBeUndefined();
      const losses = progress.filter((p) => p.phase === 'training').map((p) => p.loss ?? Number.NaN);
      for (const loss of losses) {
        expect(Number.isFinite(loss)).toBe(true);
        expect(loss).toBeGreaterThan(0);
        expect(loss).toBeLessThan(Math.log(10));
      }
      expect(progress.at(-1)?.loss).toBe(losses.at(-1));
      // The corrections by digit: all 12 counted under their labels, read right by both models.
      const byDigit = result.metrics.correctionsByDigit;
      const labels = digits(0, 12).map((d) => d.label);
      const expected = Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
      expect(byDigit?.count).toEqual(expected);
      expect(byDigit?.baseRight).toEqual(expected);
      expect(byDigit?.right).toEqual(expected);
      const candidate = await tf.loadLayersModel(tf.io.fromMemory(result.candidate.artifacts));
      expect(candidate.outputs[0]?.shape).toEqual([null, 10]);
      candidate.dispose();
    },
    SLOW,
  );

  it(
    'reports a training loss that falls over a run, and how each digit of the corrections reads before and after',
    async () => {
      // Each digit labelled as the next one: corrections the served model gets wrong, all of them.
      const corrections = digits(0, 24, (truth) => (truth + 1) % 10);
      const longer = createRetrainer({ maxSteps: 40, gate: { minCorrectionsFit: 0 } });
      const losses: number[] = [];
      const correctionLosses: number[] = [];
      const result = await longer.retrain({
        base: shippedBase,
        corrections,
        onProgress: (p) => {
          if (p.phase !== 'training') return;
          if (p.loss !== undefined) losses.push(p.loss);
          if (p.correctionLoss !== undefined) correctionLosses.push(p.correctionLoss);
        },
      });
      longer.dispose();
      expect(losses).toHaveLength(40);
      for (const loss of [...losses, ...correctionLosses])
        expect(Number.isFinite(loss) && loss > 0).toBe(true);
      // Noisy step to step (each step shows other corrections), falling on average.
      const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
      expect(mean(losses.slice(-13))).toBeLessThan(mean(losses.slice(0, 13)));
      // 24 corrections seen four times would be 96 views over 40 steps; every step still shows
      // 8 (each correction more than four times), so every step reports their loss. Wrong at
      // first (well over a guess's 2.3 nats), fitted better by the end.
      expect(correctionLosses).toHaveLength(40);
      const third = Math.floor(correctionLosses.length / 3);
      const [early, late] = [mean(correctionLosses.slice(0, third)), mean(correctionLosses.slice(-third))];
      expect(early).toBeGreaterThan(Math.log(10));
      expect(late).toBeLessThan(early);
      const byDigit = result.metrics.correctionsByDigit;
      expect(byDigit?.count.reduce((a, b) => a + b)).toBe(24);
      expect(byDigit?.baseRight).toEqual(new Array(10).fill(0));
      for (let d = 0; d < 10; d++) expect(byDigit?.right[d]).toBeLessThanOrEqual(byDigit?.count[d] ?? 0);
    },
    SLOW,
  );

  it(
    'is rejected by a gate it cannot pass, and says why',
    async () => {
      const strict = createRetrainer({ maxSteps: 2, gate: { minCorrectionsFit: 1.01 } });
      const result = await strict.retrain({ base: shippedBase, corrections: digits(0, 4) });
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
          base: shippedBase,
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
    await expectCode(retrainer.retrain({ base: shippedBase, corrections: [] }), 'NO_CORRECTIONS');
    await expectCode(
      retrainer.retrain({ base: shippedBase, corrections: digits(0, 2), mode: 'full' }),
      'RETRAIN_CONFIG',
    );
    const disposed = createRetrainer();
    disposed.dispose();
    await expectCode(
      disposed.retrain({ base: shippedBase, corrections: digits(0, 2) }),
      'RETRAINER_DISPOSED',
    );
    for (const maxSteps of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createRetrainer({ maxSteps })).toThrow(RetrainConfigError);
    }
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
          base: shippedBase,
          corrections: digits(150, 8),
          mode: 'full',
          onProgress: (p) => progress.push(p),
        }),
      );
      // Two steps from scratch cannot match the shipped model: the gate must say so.
      expect(result.accepted).toBe(false);
      expect(result.reason).toMatch(/held-out accuracy fell/);
      const last = progress.filter((p) => p.phase === 'training').at(-1);
      expect(last).toMatchObject({ step: 2, totalSteps: 2 });
      // From scratch: about a guess among ten digits.
      expect(last?.loss).toBeGreaterThan(1);
      expect(last?.loss).toBeLessThan(5);
    },
    SLOW,
  );
});

describe('what a retrainer knows of a model (BaseModel.known)', () => {
  /** Any candidate passes: these tests are about what is measured, not the verdict. */
  const lenient = { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 };
  const shipped = { artifacts: base };

  it(
    'judges a candidate passed back as the next base against the evaluation the gate made of it',
    async () => {
      const bundled = createRetrainer({ maxSteps: 2, gate: lenient });
      const corrections = digits(100, 4);
      const first = await expectNoLeakedTensors(() => bundled.retrain({ base: shipped, corrections }));
      const next = await expectNoLeakedTensors(() => bundled.retrain({ base: first.candidate, corrections }));
      expect(next.metrics.baseAccuracy).toBe(first.metrics.accuracy);
      expect(next.metrics.baseRecall).toEqual(first.metrics.recall);
      // The same weights without what is known of them: measured again, to the same figures.
      const fresh = await bundled.retrain({ base: { artifacts: first.candidate.artifacts }, corrections });
      expect(fresh.metrics.baseAccuracy).toBeCloseTo(first.metrics.accuracy, 10);
      bundled.dispose();
    },
    SLOW,
  );

  it(
    'trusts an evaluation only of the digits it validates on',
    async () => {
      const { validation } = await bundledDigits();
      const told = {
        accuracy: 0.123,
        recall: new Array<number>(10).fill(0.123),
        count: validation.labels.length,
      };
      const corrections = digits(100, 4);
      const bundled = createRetrainer({ maxSteps: 2, gate: lenient });
      const taken = await bundled.retrain({ base: withKnowledge(base, { evaluation: told }), corrections });
      expect(taken.metrics.baseAccuracy).toBe(0.123);
      expect(taken.metrics.heldOutCount).toBe(validation.labels.length);
      const otherCount = withKnowledge(base, { evaluation: { ...told, count: 100 } });
      expect((await bundled.retrain({ base: otherCount, corrections })).metrics.baseAccuracy).toBeGreaterThan(
        0.95,
      );
      bundled.dispose();
      const own = createRetrainer({ maxSteps: 2, validation, gate: lenient });
      const ignored = await own.retrain({ base: withKnowledge(base, { evaluation: told }), corrections });
      expect(ignored.metrics.baseAccuracy).toBeGreaterThan(0.95);
      own.dispose();
    },
    SLOW,
  );

  it('the bundled model carries its evaluation on the bundled validation digits, as the retrainer makes it', async () => {
    const { validation } = await bundledDigits();
    const carried = bundledModel.validation;
    expect(carried?.count).toBe(validation.labels.length);
    const model = await importModel(base);
    const network = frozenNetwork(model);
    const live = await evaluate(network, validation);
    network.dispose();
    model.dispose();
    // The same weights on the same digits; another backend's rounding could flip a near tie.
    expect(Math.abs(live.accuracy - (carried?.accuracy ?? 0))).toBeLessThanOrEqual(
      1 / validation.labels.length,
    );
  });

  it(
    "knows an accepted candidate's outputs on the bundled rehearsal digits, as a fresh pass makes them",
    async () => {
      const { rehearsal } = await bundledDigits();
      const bundled = createRetrainer({ maxSteps: 2, gate: lenient });
      const accepted = await expectNoLeakedTensors(() =>
        bundled.retrain({ base: shipped, corrections: digits(100, 4) }),
      );
      const known = knowledgeOf(accepted.candidate).rehearsal;
      const model = await importModel(accepted.candidate.artifacts);
      const reading = frozenNetwork(model);
      const expected = await featuresOf(reading, rehearsal.images);
      reading.dispose();
      model.dispose();
      const width = expected[0]?.length ?? 0;
      expect(known?.features).toHaveLength(rehearsal.labels.length * width);
      expect(known?.probabilities).toHaveLength(rehearsal.labels.length * 10);
      expect(maxDifference(known?.featureMean ?? [], meanOf(expected))).toBeLessThan(1e-4);
      expected.slice(0, 3).forEach((row, d) => {
        expect(maxDifference(known?.features?.subarray(d * width, (d + 1) * width) ?? [], row)).toBeLessThan(
          1e-4,
        );
      });
      // A rejected candidate is never served: nothing is made for it.
      const strict = createRetrainer({ maxSteps: 2, gate: { minCorrectionsFit: 1.01 } });
      const rejected = await strict.retrain({ base: shipped, corrections: digits(100, 4) });
      expect(knowledgeOf(rejected.candidate).rehearsal).toBeUndefined();
      // Scores on other digits are not about the bundled ones: nothing is said of them.
      const own = createRetrainer({ maxSteps: 2, rehearsal, gate: lenient });
      expect(
        knowledgeOf((await own.retrain({ base: shipped, corrections: digits(100, 4) })).candidate),
      ).toEqual(expect.not.objectContaining({ rehearsal: expect.anything() }));
      bundled.dispose();
      strict.dispose();
      own.dispose();
    },
    SLOW,
  );

  it(
    'centres the agreement defence on the known outputs of the rehearsal digits, when it rehearses the same digits',
    async () => {
      // Eight 1s and two 7s, all labelled truly: told apart on features centred on the model's
      // mean. Centred on a point far from every digit, every pair looks alike, so the 1s outvote
      // the 7s.
      const ones = Array.from(train.labels.keys())
        .filter((i) => train.labels[i] === 1)
        .slice(0, 8);
      const sevens = Array.from(train.labels.keys())
        .filter((i) => train.labels[i] === 7)
        .slice(0, 2);
      const corrections = [...ones, ...sevens].map((i) => ({
        image: mnistDigit(train, i),
        label: train.labels[i] ?? 0,
      }));
      const { rehearsal } = await bundledDigits();
      const probe = await importModel(base);
      const width = withFeatures(probe).outputs[0]?.shape[1] ?? 0;
      probe.dispose();
      const uncentred = withKnowledge(base, {
        rehearsal: {
          featureMean: new Float32Array(width).fill(-1000),
          probabilities: new Float32Array(1000 * 10),
        },
      });
      const bundledRehearsal = createRetrainer({ maxSteps: 1 });
      expect(
        (await bundledRehearsal.retrain({ base: shipped, corrections })).metrics.correctionsDisputed,
      ).toBe(0);
      const hinted = await bundledRehearsal.retrain({ base: uncentred, corrections });
      expect(hinted.metrics.correctionsDisputed).toBe(2);

      const ownRehearsal = createRetrainer({ maxSteps: 1, rehearsal });
      const ignored = await ownRehearsal.retrain({ base: uncentred, corrections });
      expect(ignored.metrics.correctionsDisputed).toBe(0);
    },
    SLOW,
  );

  it(
    'judges each of a line of candidates as a whole pass over it would',
    async () => {
      const { validation } = await bundledDigits();
      const keeping = createRetrainer({ maxSteps: 2, gate: lenient });
      const first = await expectNoLeakedTensors(() =>
        keeping.retrain({ base: shipped, corrections: digits(100, 4) }),
      );
      const second = await expectNoLeakedTensors(() =>
        keeping.retrain({ base: first.candidate, corrections: digits(110, 4) }),
      );
      for (const result of [first, second]) {
        const model = await importModel(result.candidate.artifacts);
        const whole = frozenNetwork(model);
        const expected = await evaluate(whole, validation);
        expect(result.metrics.accuracy).toBeCloseTo(expected.accuracy, 10);
        expect(result.metrics.recall).toEqual(expected.recall);
        whole.dispose();
        model.dispose();
      }
      keeping.dispose();
    },
    SLOW,
  );

  it(
    "is handed the served model's outputs on the rehearsal digits by a recogniser, and its candidate's after an accept",
    async () => {
      const { rehearsal } = await bundledDigits();
      const bundled = createRetrainer({ maxSteps: 2, gate: lenient });
      const bases: BaseModel[] = [];
      const recognizer = await createRecognizer({
        retrainer: {
          retrain: (request) => {
            bases.push(request.base);
            return bundled.retrain(request);
          },
          dispose: () => bundled.dispose(),
        },
      });
      for (const digit of digits(110, 3)) await recognizer.correct(digit.image, digit.label);
      const first = await recognizer.retrain();
      expect(first.accepted).toBe(true);
      // The memory's rehearsal digits are the served model's outputs on them.
      const model = await importModel(base);
      const reading = frozenNetwork(model);
      const centre = meanOf(await featuresOf(reading, rehearsal.images));
      const answers = tf.tidy(() =>
        reading(tf.tensor4d(rehearsal.images, [1000, 28, 28, 1])).probabilities.dataSync(),
      );
      reading.dispose();
      model.dispose();
      const handed = bases[0] && knowledgeOf(bases[0]);
      expect(maxDifference(handed?.rehearsal?.featureMean ?? [], centre)).toBeLessThan(1e-5);
      expect(maxDifference(handed?.rehearsal?.probabilities ?? [], answers)).toBeLessThan(1e-5);
      expect(handed?.evaluation?.count).toBe(bundledModel.validation?.count);

      // One more correction, so the next run has something new to train on.
      for (const digit of digits(113, 1)) await recognizer.correct(digit.image, digit.label);
      const second = await recognizer.retrain();
      expect(second.metrics.baseAccuracy).toBe(first.metrics.accuracy);

      // A version loaded from the store is measured again, to the same figures.
      await recognizer.rollback(first.version);
      const third = await recognizer.retrain();
      expect(third.metrics.baseAccuracy).toBeCloseTo(first.metrics.accuracy, 10);
      recognizer.dispose();
    },
    SLOW,
  );
});

describe('recognizer.retrain', () => {
  it(
    "consolidates a hard writer's first 5 misread digits: the gate accepts a candidate that reads them",
    async () => {
      // The default retrainer: a full-length run of a few corrections, as a user's first one is.
      const recognizer = await createRecognizer();
      const samples = createWriter(7).stream(200, 77);
      const read = await recognizer.predictBatch(samples.map((sample) => sample.image));
      const misread = samples.filter((sample, i) => read[i]?.digit !== sample.digit).slice(0, 5);
      expect(misread).toHaveLength(5);
      for (const sample of misread) await recognizer.correct(sample.image, sample.digit);
      const outcome = await recognizer.retrain();
      expect(outcome.reason).toBeUndefined();
      expect(outcome.accepted).toBe(true);
      expect(outcome.metrics.correctionsFit).toBe(1);
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'serves the accepted candidate as a new stored version, keeps the old one for rollback, and emits events',
    async () => {
      const modelStore = createMemoryModelStore();
      const recognizer = await createRecognizer({ modelStore, retrainer });
      const seen: Array<keyof RecognizerEvents> = [];
      for (const type of ['correction', 'retrain-start', 'retrain-finished', 'model-change'] as const)
        recognizer.on(type, () => seen.push(type));
      for (const digit of digits(20, 6)) await recognizer.correct(digit.image, digit.label);
      // With corrections in effect the recogniser keeps their features on the backend; a retrain
      // swaps them for the new weights' and must leave the count where it was.
      await recognizer.predict(digits(20, 1)[0]?.image ?? new Float32Array(784));
      const baseline = tf.memory().numTensors;
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
      // The swap keeps no more than the recogniser held before it, and later predictions add nothing.
      expect(tf.memory().numTensors).toBeLessThanOrEqual(baseline);
      for (const digit of corrected) await recognizer.predict(digit.image);
      expect(tf.memory().numTensors).toBeLessThanOrEqual(baseline);

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
      await recognizer.predict(corrected[0]?.image ?? new Float32Array(784));
      expect(tf.memory().numTensors).toBe(baseline);
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'narrows the reach of corrections a retrain trained on and could not fit, across a reload',
    async () => {
      // A retrainer that accepts the weights it was given: every correction stays unfitted.
      const unchanged = acceptingAsIs();
      const store = createMemoryCorrectionStore();
      const modelStore = createMemoryModelStore();
      const recognizer = await createRecognizer({ store, modelStore, retrainer: unchanged });
      // Digits corrected to the model's runner-up, and each digit moved by one pixel four ways.
      const corrected = digits(120, 40);
      const variants = corrected.flatMap((digit) => shifted(digit.image));
      const followers = async (r: Recognizer) =>
        (await r.predictBatch(variants)).map((p, i) => p.digit === corrected[Math.floor(i / 4)]?.label);
      const ids: string[] = [];
      for (const digit of corrected) {
        const { probabilities } = await recognizer.predict(digit.image);
        digit.label = runnerUp(probabilities);
        ids.push((await recognizer.correct(digit.image, digit.label)).id);
      }
      const asNew = await followers(recognizer);
      const outcome = await recognizer.retrain();
      expect(outcome.accepted).toBe(true);
      const asUnfitted = await followers(recognizer);
      const count = (hits: boolean[]) => hits.filter(Boolean).length;
      // Fewer variants follow; the drawings themselves still do.
      expect(count(asUnfitted)).toBeLessThan(count(asNew));
      const own = await recognizer.predictBatch(corrected.map((digit) => digit.image));
      own.forEach((p, i) => {
        expect(p.digit).toBe(corrected[i]?.label);
      });
      // The version records the newest correction it was trained on, so a reload keeps the standing.
      let newest = 0;
      for await (const correction of store.iterate()) newest = Math.max(newest, correction.createdAt);
      expect((await modelStore.current())?.metrics?.correctionsThrough).toBe(newest);
      const reopened = await createRecognizer({ store, modelStore, retrainer: unchanged });
      expect(await followers(reopened)).toEqual(asUnfitted);
      // Made again after the retrain, a correction is new: it reaches as far as it first did.
      const narrowed = asNew.findIndex((hit, i) => hit && !asUnfitted[i]);
      const digit = corrected[Math.floor(narrowed / 4)];
      if (!digit) throw new Error('unreachable: fewer variants follow');
      await reopened.removeCorrection(ids[Math.floor(narrowed / 4)] ?? '');
      await reopened.correct(digit.image, digit.label);
      expect((await reopened.predict(variants[narrowed] ?? digit.image)).digit).toBe(digit.label);
      reopened.dispose();
      recognizer.dispose();
    },
    SLOW,
  );

  it(
    'runs no incremental retrain when the served weights were trained on every correction, across a reload',
    async () => {
      const runs: number[] = [];
      const store = createMemoryCorrectionStore();
      const modelStore = createMemoryModelStore();
      const recognizer = await createRecognizer({ store, modelStore, retrainer: acceptingAsIs(runs) });
      const started: number[] = [];
      recognizer.on('retrain-start', ({ corrections }) => started.push(corrections));
      for (const digit of digits(20, 3)) await recognizer.correct(digit.image, digit.label);
      const first = await recognizer.retrain();
      expect(first).toMatchObject({ accepted: true, corrections: 3 });
      // Pressed again with nothing new: a typed error, no run, the same weights served.
      await expectCode(recognizer.retrain(), 'NO_CORRECTIONS');
      expect(recognizer.modelVersion).toBe(first.version);
      const reopened = await createRecognizer({ store, modelStore, retrainer: acceptingAsIs(runs) });
      await expectCode(reopened.retrain(), 'NO_CORRECTIONS');
      expect(runs).toEqual([3]);
      // One new correction, and the run trains on all of them again.
      const [late] = digits(60, 1);
      if (!late) throw new Error('unreachable: one digit asked for');
      await reopened.correct(late.image, late.label);
      expect(await reopened.retrain()).toMatchObject({ accepted: true, corrections: 4 });
      expect(runs).toEqual([3, 4]);
      expect(started).toEqual([3]);
      reopened.dispose();
      recognizer.dispose();
    },
    SLOW,
  );

  it('warms its retrainer at every correction, and with the served weights once a served model', async () => {
    let warmed = 0;
    const bases: BaseModel[] = [];
    const runBases: BaseModel[] = [];
    const asIs = acceptingAsIs();
    const warming: Retrainer = {
      ...asIs,
      retrain: (request) => {
        runBases.push(request.base);
        return asIs.retrain(request);
      },
      warm: (base) => {
        warmed++;
        if (base) bases.push(base);
      },
    };
    const recognizer = await createRecognizer({ retrainer: warming });
    await recognizer.predict(digits(20, 1)[0]?.image ?? new Float32Array(784));
    expect(warmed).toBe(0);
    for (const digit of digits(20, 2)) await recognizer.correct(digit.image, digit.label);
    // Exported in a later task than the correction's, and sent once for the two corrections.
    await vi.waitFor(() => expect(bases).toHaveLength(1));
    expect(warmed).toBe(3);
    await recognizer.retrain();
    // The run starts from the very weights sent ahead: a worker holds them under their key.
    expect(runBases[0]?.artifacts).toBe(bases[0]?.artifacts);
    const [next] = digits(22, 1);
    if (next) await recognizer.correct(next.image, next.label);
    // A new served model (the accepted candidate) is sent again.
    await vi.waitFor(() => expect(bases).toHaveLength(2));
    recognizer.dispose();
  });

  it(
    'keeps serving the old model when the gate rejects, and reports why',
    async () => {
      const strict = createRetrainer({ maxSteps: 2, gate: { maxAccuracyDrop: -1 } });
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

  it('rejects a bad policy with INVALID_OPTIONS', async () => {
    await expectCode(createRecognizer({ retrain: { afterCorrections: 0 } }), 'INVALID_OPTIONS');
    await expectCode(createRecognizer({ retrain: { afterCorrections: 1.5 } }), 'INVALID_OPTIONS');
    await expectCode(createRecognizer({ correctionThreshold: 1 }), 'INVALID_OPTIONS');
    await expectCode(createRecognizer({ uncertainBelow: Number.NaN }), 'INVALID_OPTIONS');
  });
});
