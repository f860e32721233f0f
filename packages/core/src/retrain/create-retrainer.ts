import type * as tf from '@tensorflow/tfjs';
import { centredUnit, featuresOf, withFeatures } from '../model/features.js';
import { exportModel, freshModel, importModel } from '../model/serialize.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { DigitDataset } from '../training/dataset.js';
import { type Evaluation, scoreClasses } from '../training/evaluate.js';
import { trainDigitModel } from '../training/train.js';
import { disputedCorrections } from './agreement.js';
import { NoCorrectionsError, RetrainConfigError, RetrainerDisposedError } from './errors.js';
import { type DigitSet, type FrozenOutputs, frozenOutputs } from './frozen-outputs.js';
import { gateVerdict } from './gate.js';
import { fineTune, lastStageStart, plannedSteps } from './incremental.js';
import { frozenNetwork, type InferenceNetwork, splitNetwork } from './inference.js';
import { classesOf, evaluate, type PassOutputs, passOver } from './passes.js';
import { bundledDigits } from './rehearsal-set.js';
import type {
  GateOptions,
  LabelledDigit,
  Retrainer,
  RetrainerOptions,
  RetrainRequest,
  RetrainResult,
} from './types.js';

/** A model's outputs on the rehearsal digits (see `RetrainRequest.baseOnRehearsal`). */
type RehearsalOutputs = Pick<PassOutputs, 'probabilities'> & { featureMean: ArrayLike<number> };

const imagesOf = (digits: readonly LabelledDigit[]) => {
  const images = new Float32Array(digits.length * MNIST_PIXELS);
  digits.forEach((digit, i) => {
    images.set(digit.image, i * MNIST_PIXELS);
  });
  return images;
};

/**
 * Which corrections the label-agreement defence keeps, judged on the base model's features
 * centred on its mean features over the rehearsal digits (asked for only when needed).
 */
async function undisputed(
  model: tf.LayersModel,
  corrections: readonly LabelledDigit[],
  centreOf: () => Promise<ArrayLike<number>>,
): Promise<LabelledDigit[]> {
  if (corrections.length < 2) return [...corrections];
  const centre = await centreOf();
  const features = (await featuresOf(withFeatures(model), imagesOf(corrections))).map((f) =>
    centredUnit(f, centre),
  );
  const disputed = disputedCorrections(
    features,
    corrections.map((c) => c.label),
  );
  return corrections.filter((_, i) => !disputed.has(i));
}

async function fitOf(network: InferenceNetwork, digits: readonly LabelledDigit[]): Promise<number> {
  if (digits.length === 0) return 1;
  const classes = classesOf((await passOver(network, imagesOf(digits))).probabilities);
  return digits.filter((digit, i) => classes[i] === digit.label).length / digits.length;
}

/**
 * The default retrainer, running on the calling thread (adapters offer worker versions).
 *
 * Incremental mode fine-tunes a copy of the served model on the corrections, each seen a few
 * times with augmentation, rehearsing bundled MNIST digits in every step, with frozen batch norm
 * and a low, decaying learning rate. Corrections that close neighbours among the other corrections
 * contradict are left out (label agreement). Full mode trains the same architecture from scratch
 * on `fullData` plus the corrections. Either way the candidate then faces the validation gate on
 * held-out digits; the served model is never touched.
 *
 * Between runs it keeps what it learnt about the models it was given: their gate evaluations,
 * their outputs on the rehearsal digits, and what the layers incremental runs leave frozen make
 * of the validation and rehearsal digits (about 37 MB for the shipped model), so later runs on
 * the same line of models skip that work. `dispose()` lets them go.
 */
export function createRetrainer(options: RetrainerOptions = {}): Retrainer {
  const { rehearsalWeight } = options;
  if (rehearsalWeight !== undefined && !(rehearsalWeight > 0 && Number.isFinite(rehearsalWeight))) {
    throw new RetrainConfigError(`rehearsalWeight must be a finite number > 0, got ${rehearsalWeight}`);
  }
  /**
   * What a run needs from its base model, by the identity of its artifacts: the evaluation on
   * the validation digits (for the gate) and its outputs on the rehearsal digits (the centre of
   * the agreement defence, and distillation targets). They depend only on the weights, so each is
   * computed once per served model. A candidate's own are kept under its artifacts too: when it
   * is accepted and served (the recogniser passes the same object back as the next base), the
   * next run starts without evaluating it again. Weak keys: models no longer served go.
   */
  const evaluations = new WeakMap<tf.io.ModelArtifacts, Evaluation>();
  const onRehearsal = new WeakMap<tf.io.ModelArtifacts, RehearsalOutputs>();
  /**
   * The frozen layers' outputs on the validation and rehearsal digits, kept for as long as runs
   * leave those layers as they are (every incremental run from the same line of models): about
   * 37 MB for the shipped model, and a second and a half less per run once made.
   */
  let frozen: FrozenOutputs | undefined;
  let disposed = false;

  async function baseEvaluation(request: RetrainRequest, base: tf.LayersModel, validation: DigitDataset) {
    const given = request.baseEvaluation;
    let evaluation =
      evaluations.get(request.base) ??
      (!options.validation && given?.count === validation.labels.length ? given : undefined);
    if (!evaluation) {
      evaluation = await withFrozen(base, (network) => evaluate(network, validation, request.signal));
      evaluations.set(request.base, evaluation);
    }
    return evaluation;
  }

  /** The base's outputs on the rehearsal digits if known: the caller's (same digits), or ours. */
  function knownOnRehearsal(request: RetrainRequest, rehearsal: DigitDataset): RehearsalOutputs | undefined {
    const given = request.baseOnRehearsal;
    const fits = given && given.probabilities.length === rehearsal.labels.length * 10;
    return !options.rehearsal && fits ? given : onRehearsal.get(request.base);
  }

  async function baseOnRehearsal(request: RetrainRequest, base: tf.LayersModel, rehearsal: DigitDataset) {
    let outputs = knownOnRehearsal(request, rehearsal);
    if (!outputs) {
      outputs = await withFrozen(base, (network) => passOver(network, rehearsal.images, request.signal));
      onRehearsal.set(request.base, outputs);
    }
    return outputs;
  }

  async function data() {
    const bundled = options.rehearsal && options.validation ? undefined : await bundledDigits();
    const rehearsal = options.rehearsal ?? bundled?.rehearsal;
    const validation = options.validation ?? bundled?.validation;
    if (!rehearsal || !validation) throw new Error('unreachable: bundled digits are loaded when needed');
    return { rehearsal, validation };
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
    const base = await importModel(request.base);
    let candidate: tf.LayersModel | undefined;
    try {
      const baseline = await baseEvaluation(request, base, validation);
      const used = await undisputed(
        base,
        request.corrections,
        async () => (await baseOnRehearsal(request, base, rehearsal)).featureMean,
      );
      const disputed = request.corrections.length - used.length;
      let steps = 0;
      if (mode === 'incremental') {
        candidate = await importModel(request.base);
        const from = options.trainFrom ?? lastStageStart(candidate);
        if (!frozen?.fits(candidate, from)) frozen = frozenOutputs(candidate, from);
        const totalSteps = plannedSteps(
          used.length,
          options.passes ?? 4,
          options.minSteps ?? 40,
          options.maxSteps ?? 150,
        );
        steps = totalSteps;
        if (used.length > 0) {
          await fineTune(candidate, used, rehearsal, {
            steps: totalSteps,
            learningRate: options.learningRate ?? 0.01,
            passes: options.passes ?? 4,
            seed: options.seed ?? 1,
            ...(options.distill === false ? {} : distillation(base, knownOnRehearsal(request, rehearsal))),
            ...(options.trainFrom === undefined ? {} : { trainFrom: options.trainFrom }),
            ...(options.rehearsalWeight === undefined ? {} : { rehearsalWeight: options.rehearsalWeight }),
            ...(signal ? { signal } : {}),
            onStep: (step) =>
              onProgress?.({ phase: 'training', fraction: (0.9 * step) / totalSteps, step, totalSteps }),
          });
        }
      } else {
        candidate = await freshModel(request.base);
        const full = options.fullData;
        if (!full) throw new Error('unreachable: checked above');
        const final = await trainDigitModel(candidate, withDigits(full, used), {
          epochs: options.fullEpochs ?? 10,
          seed: options.seed ?? 1,
          ...(signal ? { signal } : {}),
          onProgress: (progress) =>
            onProgress?.({
              phase: 'training',
              fraction: (0.9 * progress.step) / progress.totalSteps,
              step: progress.step,
              totalSteps: progress.totalSteps,
            }),
        });
        steps = final.totalSteps;
      }
      signal?.throwIfAborted();
      onProgress?.({ phase: 'validating', fraction: 0.9, step: steps, totalSteps: steps });
      const { evaluation, correctionsFit, reason, outputs } = await judge(
        candidate,
        used,
        baseline,
        { validation, rehearsal },
        options.gate,
        signal,
        // The rehearsal digits' features are a recogniser's rehearsal digits only when they are the bundled ones.
        !options.rehearsal,
        mode === 'incremental' ? frozen : undefined,
      );
      const artifacts = await exportModel(candidate);
      evaluations.set(artifacts, evaluation);
      if (outputs) onRehearsal.set(artifacts, outputs);
      const featureMean = outputs?.featureMean;
      onProgress?.({ phase: 'validating', fraction: 1, step: steps, totalSteps: steps });
      return {
        accepted: reason === undefined,
        ...(reason === undefined ? {} : { reason }),
        artifacts,
        ...(featureMean ? { featureMean: Array.from(featureMean) } : {}),
        ...(outputs?.features
          ? { rehearsal: { features: outputs.features, probabilities: outputs.probabilities } }
          : {}),
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
        },
      };
    } finally {
      base.dispose();
      candidate?.dispose();
    }
  }

  return {
    retrain,
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

/**
 * The gate's verdict on a trained candidate, and its outputs on the rehearsal digits when it is
 * accepted (its centre, for serving it; a rejected candidate is never served). With `frozen`
 * outputs that fit the candidate, only its layers after them run on the validation and rehearsal
 * digits.
 */
async function judge(
  candidate: tf.LayersModel,
  used: readonly LabelledDigit[],
  baseline: Evaluation,
  digits: { validation: DigitDataset; rehearsal: DigitDataset },
  gate: GateOptions | undefined,
  signal: AbortSignal | undefined,
  keepFeatures: boolean,
  frozen: FrozenOutputs | undefined,
) {
  // Cut at 0 when nothing is kept: no frozen layers, the whole network (folded once) after them.
  const split = splitNetwork(candidate, frozen?.from ?? 0, true);
  try {
    const network: InferenceNetwork = (images) => split.rest(split.frozen(images));
    /** A pass over one set: through the layers after the frozen ones when their outputs are kept. */
    const over = async (set: DigitSet, keep: boolean) => {
      if (!frozen) return passOver(network, digits[set].images, signal, keep);
      const inputs = await frozen.of(set, split.frozen, () => digits[set].images, signal);
      return passOver(split.rest, inputs.values, signal, keep, inputs.shape);
    };
    const evaluation = scoreClasses(
      classesOf((await over('validation', false)).probabilities),
      digits.validation.labels,
    );
    const correctionsFit = await fitOf(network, used);
    const reason =
      used.length === 0
        ? 'every correction is disputed by close corrections with another label'
        : gateVerdict(baseline, evaluation, correctionsFit, gate);
    const outputs = reason === undefined ? await over('rehearsal', keepFeatures) : undefined;
    return { evaluation, correctionsFit, reason, outputs };
  } finally {
    split.dispose();
  }
}

/** The teacher of an incremental run, with its known answers on the rehearsal digits. */
const distillation = (teacher: tf.LayersModel, outputs: RehearsalOutputs | undefined) => ({
  teacher,
  ...(outputs ? { teacherAnswers: outputs.probabilities } : {}),
});

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
