/**
 * `npm run bench -- consolidation [--json] [--forgetting 500] [--speed 50] [--flip 1000] [--leak-retrains 20]
 *   [--parts speed,forgetting,flip,leaks]`
 *
 * Folding corrections into the weights with `recognizer.retrain()` (the default in-process
 * retrainer on the wasm backend):
 *
 * 1. Speed: one retrain on 50 corrections (misread digits of simulated hard writers), then one
 *    more correction and the next retrain (the served model's evaluation kept from the first).
 * 2. Forgetting: 500 such corrections from many writers consolidated; MNIST test accuracy of the
 *    served model before and after, on the 8,000 test digits the validation gate never sees —
 *    both through `predict` (weights plus the correction memory) and of the weights alone.
 * 3. Label-flip attack: 1,000 corrections of MNIST training digits drawn on a canvas, 30% of them
 *    relabelled by a fixed swap (3↔8, 1↔7, 4↔9, 5↔6, 0↔2); per-digit recall of the served
 *    recogniser on the same 8,000 test digits before and after the corrections and a retrain.
 * 4. Hygiene: live tensors after 1,000 corrections and 20 retrains (short runs).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  createMemoryModelStore,
  createRecognizer,
  createRetrainer,
  importModel,
  type Recognizer,
} from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import { evaluateModel } from '../packages/core/src/training.js';
import {
  canvasBenchmarkOptions,
  createWriter,
  drawDigitOnCanvas,
  loadMnist,
  mnistDigit,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

/** Test digits 2,000–9,999: the bundled validation set is the first 2,000. */
const VALIDATION_COUNT = 2000;
const SWAP: Record<number, number> = { 3: 8, 8: 3, 1: 7, 7: 1, 4: 9, 9: 4, 5: 6, 6: 5, 0: 2, 2: 0 };

interface Labelled {
  image: Float32Array;
  label: number;
}

/** Misread digits of simulated writers, preprocessed, with their true labels. */
async function writerMisreads(recognizer: Recognizer, count: number, firstSeed: number): Promise<Labelled[]> {
  const found: Labelled[] = [];
  for (let seed = firstSeed; found.length < count; seed++) {
    const samples = createWriter(seed).stream(200, 77);
    const predictions = await recognizer.predictBatch(samples.map((s) => s.image));
    predictions.forEach((prediction, i) => {
      const digit = samples[i]?.digit ?? 0;
      if (prediction.digit !== digit && found.length < count)
        found.push({ image: prediction.preprocessed.pixels, label: digit });
    });
  }
  return found;
}

function heldOutTest() {
  const test = loadMnist('test');
  const digits = Array.from({ length: test.count - VALIDATION_COUNT }, (_, i) =>
    mnistDigit(test, VALIDATION_COUNT + i),
  );
  return { digits, labels: test.labels.subarray(VALIDATION_COUNT) };
}

async function recallThroughPredict(recognizer: Recognizer, test: ReturnType<typeof heldOutTest>) {
  const predictions = await recognizer.predictBatch(test.digits);
  const right = new Array<number>(10).fill(0);
  const seen = new Array<number>(10).fill(0);
  predictions.forEach((p, i) => {
    const label = test.labels[i] ?? 0;
    seen[label] = (seen[label] ?? 0) + 1;
    if (p.digit === label) right[label] = (right[label] ?? 0) + 1;
  });
  return {
    accuracy: right.reduce((a, b) => a + b, 0) / predictions.length,
    recall: right.map((r, d) => r / (seen[d] ?? 1)),
  };
}

async function weightsAccuracy(recognizer: Recognizer, test: ReturnType<typeof heldOutTest>) {
  const stored = await recognizer.modelStore.load();
  if (!stored) return Number.NaN;
  const model = await importModel(stored.artifacts);
  const images = new Float32Array(test.digits.length * 784);
  test.digits.forEach((d, i) => {
    images.set(d, i * 784);
  });
  const { accuracy } = await evaluateModel(model, { images, labels: test.labels });
  model.dispose();
  return accuracy;
}

/**
 * A new recogniser's retrain on all of `corrections` but the last, timed, then the last and a
 * second retrain: the first evaluates the served model, the second finds that evaluation kept
 * (or the accepted candidate's).
 */
async function speedFigures(corrections: Labelled[]): Promise<Figure[]> {
  const fast = await createRecognizer();
  const [last] = corrections.slice(-1);
  if (!last) throw new Error('no corrections to time a retrain on');
  for (const c of corrections.slice(0, -1)) await fast.correct(c.image, c.label);
  const timed = async (metric: string): Promise<Figure> => {
    const started = performance.now();
    const outcome = await fast.retrain();
    return {
      bench: 'consolidation',
      metric,
      value: (performance.now() - started) / 1000,
      unit: 's',
      detail: `${fast.backend}; ${outcome.metrics.steps} steps; ${outcome.accepted ? 'accepted' : `rejected: ${outcome.reason}`}`,
    };
  };
  const first = await timed(`retrain on ${corrections.length - 1} corrections`);
  await fast.correct(last.image, last.label);
  const figures = [
    first,
    await timed('the next retrain, one correction later (served model already evaluated)'),
  ];
  fast.dispose();
  return figures;
}

/** `corrections` consolidated: accuracy before and after, through `predict` and of the weights. */
async function forgettingFigures(
  corrections: Labelled[],
  test: ReturnType<typeof heldOutTest>,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const recognizer = await createRecognizer({ modelStore: createMemoryModelStore() });
  const before = await recallThroughPredict(recognizer, test);
  for (const c of corrections) await recognizer.correct(c.image, c.label);
  const consolidated = await recognizer.retrain();
  const after = await recallThroughPredict(recognizer, test);
  figures.push(
    {
      bench: 'consolidation',
      metric: `MNIST accuracy change, ${corrections.length} corrections consolidated`,
      value: 100 * (after.accuracy - before.accuracy),
      unit: 'points',
      detail: `through predict, 8,000 held-out test digits: ${(100 * before.accuracy).toFixed(2)}% → ${(100 * after.accuracy).toFixed(2)}%; ${consolidated.accepted ? 'accepted' : `rejected: ${consolidated.reason}`}`,
    },
    {
      bench: 'consolidation',
      metric: 'held-out accuracy of the candidate weights',
      value: 100 * consolidated.metrics.accuracy,
      unit: '%',
      detail: `gate set (2,000 digits); served before: ${(100 * consolidated.metrics.baseAccuracy).toFixed(2)}%`,
    },
    {
      bench: 'consolidation',
      metric: 'corrections the candidate weights get right',
      value: 100 * consolidated.metrics.correctionsFit,
      unit: '%',
      detail: `${consolidated.metrics.correctionsUsed} used, ${consolidated.metrics.correctionsDisputed} disputed`,
    },
  );
  if (consolidated.accepted) {
    // Before the corrections the memory was empty: `before` is the weights' own accuracy.
    const weights = await weightsAccuracy(recognizer, test);
    figures.push(
      {
        bench: 'consolidation',
        metric: 'MNIST accuracy of the served weights alone',
        value: 100 * weights,
        unit: '%',
        detail: '8,000 held-out test digits, without the correction memory',
      },
      {
        bench: 'consolidation',
        metric: `MNIST accuracy change of the weights, ${corrections.length} corrections consolidated`,
        value: 100 * (weights - before.accuracy),
        unit: 'points',
        detail: `8,000 held-out test digits: ${(100 * before.accuracy).toFixed(2)}% → ${(100 * weights).toFixed(2)}%`,
      },
    );
  }
  recognizer.dispose();
  return figures;
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      forgetting: { type: 'string', default: '500' },
      speed: { type: 'string', default: '50' },
      flip: { type: 'string', default: '1000' },
      'leak-retrains': { type: 'string', default: '20' },
      parts: { type: 'string', default: 'speed,forgetting,flip,leaks' },
    },
  });
  const parts = new Set(values.parts.split(','));
  const figures: Figure[] = [];
  const test = heldOutTest();

  // 1 and 2: speed and forgetting on writers' misread digits.
  if (parts.has('speed') || parts.has('forgetting')) {
    // The forgetting run takes the misread digits after the speed run's (its corrections and the
    // one more of its second retrain), with or without it.
    const speed = Number(values.speed) + 1;
    const probe = await createRecognizer();
    const pool = await writerMisreads(
      probe,
      speed + (parts.has('forgetting') ? Number(values.forgetting) : 0),
      5000,
    );
    probe.dispose();
    if (parts.has('speed')) figures.push(...(await speedFigures(pool.slice(0, speed))));
    if (parts.has('forgetting')) figures.push(...(await forgettingFigures(pool.slice(speed), test)));
  }

  // 3: label-flip attack.
  if (parts.has('flip')) {
    const count = Number(values.flip);
    const train = loadMnist('train', count);
    const random = seededRandom(11);
    const recognizer = await createRecognizer();
    const before = await recallThroughPredict(recognizer, test);
    let flipped = 0;
    for (let i = 0; i < count; i++) {
      const truth = train.labels[i] ?? 0;
      const lie = random() < 0.3;
      if (lie) flipped++;
      const drawing = drawDigitOnCanvas(mnistDigit(train, i), canvasBenchmarkOptions(random));
      await recognizer.correct(drawing, lie ? (SWAP[truth] ?? truth) : truth);
    }
    const afterCorrections = await recallThroughPredict(recognizer, test);
    const outcome = await recognizer.retrain();
    const afterRetrain = await recallThroughPredict(recognizer, test);
    const worst = (after: { recall: number[] }) =>
      Math.max(...before.recall.map((r, d) => 100 * (r - (after.recall[d] ?? 0))));
    figures.push(
      {
        bench: 'consolidation',
        metric: 'label flip: worst per-digit recall drop, corrections in effect',
        value: worst(afterCorrections),
        unit: 'points',
        detail: `${flipped} of ${count} corrections flipped (3↔8, 1↔7, 4↔9, 5↔6, 0↔2); before any retrain`,
      },
      {
        bench: 'consolidation',
        metric: 'label flip: worst per-digit recall drop after a retrain',
        value: worst(afterRetrain),
        unit: 'points',
        detail: `${outcome.accepted ? 'accepted' : `rejected: ${outcome.reason}`}; ${outcome.metrics.correctionsDisputed} corrections disputed`,
      },
    );
    recognizer.dispose();
  }

  // 4: tensors across 1,000 corrections and many (short) retrains.
  if (parts.has('leaks')) {
    const retrains = Number(values['leak-retrains']);
    // Counted from before createRecognizer() to after dispose(): what a live recogniser holds
    // (its model, its correction memory) is not a leak; what outlives it is.
    await tf.ready();
    const baseline = tf.memory().numTensors;
    const recognizer = await createRecognizer({ retrainer: createRetrainer({ maxSteps: 2 }) });
    const train = loadMnist('train', 1000);
    for (let i = 0; i < train.count; i++) {
      await recognizer.correct(mnistDigit(train, i), train.labels[i] ?? 0);
      if ((i + 1) % Math.ceil(train.count / retrains) === 0) await recognizer.retrain();
    }
    recognizer.dispose();
    figures.push({
      bench: 'consolidation',
      metric: 'tensors leaked',
      value: tf.memory().numTensors - baseline,
      unit: 'tensors',
      detail: `${train.count} corrections, ${retrains} retrains; before createRecognizer() to after dispose()`,
    });
  }

  printFigures(figures, options.json);
}
