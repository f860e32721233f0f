import type * as tf from '@tensorflow/tfjs';
import { centredUnit, featuresOf } from '../model/features.js';
import { frozenNetwork, type InferenceNetwork } from '../model/inference.js';
import { exportModel, freshModel, importModel } from '../model/serialize.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { DigitDataset } from '../training/dataset.js';
import { trainDigitModel } from '../training/train.js';
import { disputedCorrections } from './agreement.js';
import { imagesOf } from './digits.js';
import { NoCorrectionsError, RetrainConfigError, RetrainerDisposedError } from './errors.js';
import { type FrozenOutputs, frozenOutputs } from './frozen-outputs.js';
import { fineTune, lastStageStart, plannedSteps } from './incremental.js';
import { classesOfDigits, evaluateOn, judge, makeFrozenOutputs } from './judge.js';
import { knowledgeOf, withKnowledge } from './knowledge.js';
import { type PassOutputs, passOver } from './passes.js';
import { bundledDigits } from './rehearsal-set.js';
import type {
  BaseModel,
  CorrectionsByDigit,
  LabelledDigit,
  Retrainer,
  RetrainerOptions,
  RetrainRequest,
  RetrainResult,
} from './types.js';

/**
 * Which corrections the label-agreement defence keeps, judged on the base model's features
 * centred on its mean features over the rehearsal digits (asked for only when needed).
 */
async function undisputed(
  model: tf.LayersModel,
  corrections: readonly LabelledDigit[],
  featureMeanOf: () => Promise<ArrayLike<number>>,
): Promise<LabelledDigit[]> {
  if (corrections.length < 2) return [...corrections];
  const featureMean = await featureMeanOf();
  const features = (await withFrozen(model, (network) => featuresOf(network, imagesOf(corrections)))).map(
    (f) => centredUnit(f, featureMean),
  );
  const disputed = disputedCorrections(
    features,
    corrections.map((c) => c.label),
  );
  return corrections.filter((_, i) => !disputed.has(i));
}

/**
 * How incremental runs train, fixed by measurement (the learning guide's "Tuning" section gives
 * the figures): each correction seen at least `PASSES` times with augmentation, between
 * `MIN_STEPS` and the `maxSteps` option of 32 digits, at a peak learning rate of
 * `LEARNING_RATE`; the same `SEED` for every run, so the same corrections give the same candidate.
 */
const LEARNING_RATE = 0.01;
const PASSES = 4;
const MIN_STEPS = 40;
const MAX_STEPS = 150;
const FULL_EPOCHS = 10;
const SEED = 1;

/**
 * The default retrainer, running on the calling thread (adapters offer worker versions).
 *
 * Incremental mode fine-tunes a copy of the served model on the corrections, each seen a few
 * times with augmentation, rehearsing bundled MNIST digits in every step (taught the served
 * model's own answers), with frozen batch norm, its early layers frozen and a low, decaying
 * learning rate. Corrections that close neighbours among the other corrections contradict are
 * left out (label agreement). Full mode trains the same architecture from scratch on `fullData`
 * plus the corrections. Either way the candidate then faces the validation gate on held-out
 * digits; the served model is never touched.
 *
 * What it measures of a model travels with the model (`BaseModel.known`), so a candidate passed
 * back as the next base is not measured again. It also keeps, between runs, what the frozen
 * layers make of the validation and rehearsal digits (about 37 MB for the shipped model) for as
 * long as runs start from the same line of models; `dispose()` lets that go.
 */
export function createRetrainer(options: RetrainerOptions = {}): Retrainer {
  return createPreparingRetrainer(options);
}

/** A {@link createRetrainer} that can also make ahead what its next run needs of a base. */
export interface PreparingRetrainer extends Retrainer {
  /**
   * Makes now, for a run to come from `base`, what that run would make of it first: its frozen
   * layers' outputs on the validation and rehearsal digits (an incremental run's frozen layers are
   * its base's). The serving side of a worker retrainer calls it when warmed with a base, between
   * runs; rejects only when aborted or on the base's own errors.
   */
  prepare(base: BaseModel, signal?: AbortSignal): Promise<void>;
}

export function createPreparingRetrainer(options: RetrainerOptions = {}): PreparingRetrainer {
  const maxSteps = options.maxSteps ?? MAX_STEPS;
  if (!(Number.isInteger(maxSteps) && maxSteps >= 1)) {
    throw new RetrainConfigError(`maxSteps must be a positive integer, got ${maxSteps}`);
  }
  /** Scores on the bundled digits are trusted and made only when those are the digits used. */
  const bundledValidation = !options.validation;
  const bundledRehearsal = !options.rehearsal;
  let frozen: FrozenOutputs | undefined;
  let disposed = false;

  async function data() {
    const bundled = options.rehearsal && options.validation ? undefined : await bundledDigits();
    const rehearsal = options.rehearsal ?? bundled?.rehearsal;
    const validation = options.validation ?? bundled?.validation;
    if (!rehearsal || !validation) throw new Error('unreachable: bundled digits are loaded when needed');
    return { rehearsal, validation };
  }

  /** The frozen outputs for incremental runs from `model`: kept while runs start from the same line of models. */
  function frozenFor(model: tf.LayersModel): FrozenOutputs | undefined {
    const from = lastStageStart(model);
    if (!frozen?.fits(model, from)) frozen = frozenOutputs(model, from);
    return frozen;
  }

  async function retrain(request: RetrainRequest): Promise<RetrainResult> {
    if (disposed) throw new RetrainerDisposedError();
    const started = performance.now();
    const mode = request.mode ?? 'incremental';
    const { signal, onProgress } = request;
    if (request.corrections.length === 0 && mode === 'incremental') throw new NoCorrectionsError();
    if (mode === 'full' && !options.fullData)
      throw new RetrainConfigError("full retraining needs the retrainer's fullData option");
    signal?.throwIfAborted();
    onProgress?.({ phase: 'preparing', fraction: 0, step: 0, totalSteps: 0 });
    const { rehearsal, validation } = await data();
    const known = knowledgeOf(request.base);
    const base = await importModel(request.base.artifacts);
    let candidate: tf.LayersModel | undefined;
    try {
      // An incremental candidate starts as a copy of its base and keeps its frozen layers: the
      // outputs of those serve scoring the base and the candidate alike.
      const kept = mode === 'incremental' ? frozenFor(base) : undefined;
      const baseline =
        (bundledValidation && known.evaluation?.count === validation.labels.length
          ? known.evaluation
          : undefined) ?? (await evaluateOn(base, validation, kept, signal));
      // The base's outputs on the rehearsal digits: made at most once a run, and only when needed.
      const given =
        bundledRehearsal && known.rehearsal?.probabilities.length === rehearsal.labels.length * 10;
      let onRehearsal: Promise<Pick<PassOutputs, 'featureMean' | 'probabilities'>> | undefined =
        given && known.rehearsal ? Promise.resolve(known.rehearsal) : undefined;
      const baseOnRehearsal = () => {
        onRehearsal ??= withFrozen(base, (network) => passOver(network, rehearsal.images, { signal }));
        return onRehearsal;
      };
      const used = await undisputed(
        base,
        request.corrections,
        async () => (await baseOnRehearsal()).featureMean,
      );
      const disputed = request.corrections.length - used.length;
      // What the served model makes of the corrections, for the per-digit picture of the run.
      const baseClasses = await withFrozen(base, (network) =>
        classesOfDigits(network, request.corrections, signal),
      );
      let steps = 0;
      /** The last training step's loss, carried on to the validating events. */
      let lastLoss: { loss?: number } = {};
      if (mode === 'incremental') {
        candidate = await importModel(request.base.artifacts);
        const totalSteps = plannedSteps(used.length, PASSES, Math.min(MIN_STEPS, maxSteps), maxSteps);
        steps = totalSteps;
        if (used.length > 0) {
          // Distillation targets: the base's answers when already known, else the teacher's on the fly.
          const answers = onRehearsal ? (await onRehearsal).probabilities : undefined;
          await fineTune(candidate, used, rehearsal, {
            steps: totalSteps,
            learningRate: LEARNING_RATE,
            passes: PASSES,
            seed: SEED,
            teacher: base,
            ...(answers ? { teacherAnswers: answers } : {}),
            ...(signal ? { signal } : {}),
            onStep: (step, losses) => {
              lastLoss = { loss: losses.loss };
              onProgress?.({
                phase: 'training',
                fraction: (0.9 * step) / totalSteps,
                step,
                totalSteps,
                ...losses,
              });
            },
          });
        }
      } else {
        candidate = await freshModel(request.base.artifacts);
        const full = options.fullData;
        if (!full) throw new Error('unreachable: checked above');
        const final = await trainDigitModel(candidate, withDigits(full, used), {
          epochs: options.fullEpochs ?? FULL_EPOCHS,
          seed: SEED,
          ...(signal ? { signal } : {}),
          onProgress: (progress) => {
            lastLoss = { loss: progress.batchLoss };
            onProgress?.({
              phase: 'training',
              fraction: (0.9 * progress.step) / progress.totalSteps,
              step: progress.step,
              totalSteps: progress.totalSteps,
              loss: progress.batchLoss,
            });
          },
        });
        steps = final.totalSteps;
      }
      signal?.throwIfAborted();
      onProgress?.({ phase: 'validating', fraction: 0.9, step: steps, totalSteps: steps, ...lastLoss });
      const { evaluation, correctionsFit, classes, reason, outputs } = await judge(candidate, {
        corrections: request.corrections,
        used,
        baseline,
        digits: { validation, rehearsal },
        ...(options.gate ? { gate: options.gate } : {}),
        ...(signal ? { signal } : {}),
        // Each digit's features serve a recogniser's correction memory: only for the bundled digits.
        keepFeatures: bundledRehearsal,
        ...(kept ? { frozen: kept } : {}),
      });
      const artifacts = await exportModel(candidate);
      onProgress?.({ phase: 'validating', fraction: 1, step: steps, totalSteps: steps, ...lastLoss });
      return {
        accepted: reason === undefined,
        ...(reason === undefined ? {} : { reason }),
        candidate: withKnowledge(artifacts, {
          ...(bundledValidation ? { evaluation } : {}),
          ...(bundledRehearsal && outputs ? { rehearsal: outputs } : {}),
        }),
        metrics: {
          baseAccuracy: baseline.accuracy,
          accuracy: evaluation.accuracy,
          baseRecall: baseline.recall,
          recall: evaluation.recall,
          heldOutCount: evaluation.count,
          correctionsFit,
          correctionsUsed: used.length,
          correctionsDisputed: disputed,
          steps,
          durationMs: performance.now() - started,
          correctionsByDigit: byDigit(request.corrections, baseClasses, classes),
        },
      };
    } finally {
      base.dispose();
      candidate?.dispose();
    }
  }

  async function prepare(base: BaseModel, signal?: AbortSignal): Promise<void> {
    if (disposed) throw new RetrainerDisposedError();
    const digits = await data();
    const model = await importModel(base.artifacts);
    try {
      const kept = frozenFor(model);
      if (kept) await makeFrozenOutputs(model, kept, digits, signal);
    } finally {
      model.dispose();
    }
  }

  return {
    retrain,
    prepare,
    dispose() {
      disposed = true;
      frozen = undefined;
    },
  };
}

/** `work` on a frozen network of `model`, whose folded kernels are freed after. */
async function withFrozen<T>(
  model: tf.LayersModel,
  work: (network: InferenceNetwork) => Promise<T>,
): Promise<T> {
  const network = frozenNetwork(model);
  try {
    return await work(network);
  } finally {
    network.dispose();
  }
}

/** `data` plus the corrections, each repeated so they are not lost among thousands of digits. */
function withDigits(data: DigitDataset, corrections: readonly LabelledDigit[], repeats = 4): DigitDataset {
  const extra = corrections.length * repeats;
  const images = new Float32Array(data.images.length + extra * MNIST_PIXELS);
  const labels = new Uint8Array(data.labels.length + extra);
  images.set(data.images);
  labels.set(data.labels);
  for (let r = 0; r < repeats; r++) {
    corrections.forEach((correction, i) => {
      const at = data.labels.length + r * corrections.length + i;
      images.set(correction.image, at * MNIST_PIXELS);
      labels[at] = correction.label;
    });
  }
  return { images, labels };
}

/** The corrections counted by label, with how many of each the two models read right. */
function byDigit(corrections: readonly LabelledDigit[], ...classes: Uint8Array[]): CorrectionsByDigit {
  const [count, baseRight, right] = [0, 1, 2].map(() => new Array<number>(10).fill(0)) as [
    number[],
    number[],
    number[],
  ];
  const add = (tally: number[], label: number) => {
    tally[label] = (tally[label] ?? 0) + 1;
  };
  corrections.forEach(({ label }, i) => {
    add(count, label);
    if (classes[0]?.[i] === label) add(baseRight, label);
    if (classes[1]?.[i] === label) add(right, label);
  });
  return { count, baseRight, right };
}
