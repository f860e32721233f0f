import type * as tf from '@tensorflow/tfjs';
import { centredUnit, featuresOf, meanOf, withFeatures } from '../model/features.js';
import { exportModel, freshModel, importModel } from '../model/serialize.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import type { DigitDataset } from '../training/dataset.js';
import { type Evaluation, evaluateModel, predictClasses } from '../training/evaluate.js';
import { trainDigitModel } from '../training/train.js';
import { disputedCorrections } from './agreement.js';
import { NoCorrectionsError, RetrainConfigError, RetrainerDisposedError } from './errors.js';
import { gateVerdict } from './gate.js';
import { fineTune, plannedSteps } from './incremental.js';
import { bundledDigits } from './replay-set.js';
import type { LabelledDigit, Retrainer, RetrainerOptions, RetrainRequest, RetrainResult } from './types.js';

const imagesOf = (digits: readonly LabelledDigit[]) => {
  const images = new Float32Array(digits.length * MNIST_PIXELS);
  digits.forEach((digit, i) => {
    images.set(digit.image, i * MNIST_PIXELS);
  });
  return images;
};

/** Which corrections the label-agreement defence keeps, judged on the base model's features. */
async function undisputed(
  model: tf.LayersModel,
  corrections: readonly LabelledDigit[],
  centreOf: (network: tf.LayersModel) => Promise<Float32Array>,
): Promise<LabelledDigit[]> {
  if (corrections.length < 2) return [...corrections];
  const network = withFeatures(model);
  const centre = await centreOf(network);
  const features = (await featuresOf(network, imagesOf(corrections))).map((f) => centredUnit(f, centre));
  const disputed = disputedCorrections(
    features,
    corrections.map((c) => c.label),
  );
  return corrections.filter((_, i) => !disputed.has(i));
}

async function fitOf(model: tf.LayersModel, digits: readonly LabelledDigit[]): Promise<number> {
  if (digits.length === 0) return 1;
  const predicted = await predictClasses(model, imagesOf(digits));
  return digits.filter((digit, i) => predicted[i] === digit.label).length / digits.length;
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
 */
export function createRetrainer(options: RetrainerOptions = {}): Retrainer {
  const baseEvaluations = new WeakMap<tf.io.ModelArtifacts, Evaluation>();
  const baseCentres = new WeakMap<tf.io.ModelArtifacts, Float32Array>();
  let disposed = false;

  async function data() {
    const bundled = options.replay && options.validation ? undefined : await bundledDigits();
    const replay = options.replay ?? bundled?.replay;
    const validation = options.validation ?? bundled?.validation;
    if (!replay || !validation) throw new Error('unreachable: bundled digits are loaded when needed');
    return { replay, validation };
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
    const { replay, validation } = await data();
    const base = await importModel(request.base);
    let candidate: tf.LayersModel | undefined;
    try {
      const used = await undisputed(base, request.corrections, async (network) => {
        let centre = baseCentres.get(request.base);
        if (!centre) {
          centre = meanOf(await featuresOf(network, replay.images));
          baseCentres.set(request.base, centre);
        }
        return centre;
      });
      const disputed = request.corrections.length - used.length;
      let steps = 0;
      if (mode === 'incremental') {
        candidate = await importModel(request.base);
        const totalSteps = plannedSteps(
          used.length,
          options.passes ?? 4,
          options.minSteps ?? 40,
          options.maxSteps ?? 150,
        );
        steps = totalSteps;
        if (used.length > 0) {
          await fineTune(candidate, used, replay, {
            steps: totalSteps,
            learningRate: options.learningRate ?? 0.01,
            passes: options.passes ?? 4,
            seed: options.seed ?? 1,
            ...(options.distill === false ? {} : { teacher: base }),
            ...(options.trainFrom === undefined ? {} : { trainFrom: options.trainFrom }),
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
      let baseEvaluation = baseEvaluations.get(request.base);
      if (!baseEvaluation) {
        baseEvaluation = await evaluateModel(base, validation);
        baseEvaluations.set(request.base, baseEvaluation);
      }
      const evaluation = await evaluateModel(candidate, validation);
      const correctionsFit = await fitOf(candidate, used);
      const reason =
        used.length === 0
          ? 'every correction is disputed by close corrections with another label'
          : gateVerdict(baseEvaluation, evaluation, correctionsFit, options.gate);
      const artifacts = await exportModel(candidate);
      const featureMean = Array.from(meanOf(await featuresOf(withFeatures(candidate), replay.images)));
      onProgress?.({ phase: 'validating', fraction: 1, step: steps, totalSteps: steps });
      return {
        accepted: reason === undefined,
        ...(reason === undefined ? {} : { reason }),
        artifacts,
        featureMean,
        metrics: {
          baseAccuracy: baseEvaluation.accuracy,
          accuracy: evaluation.accuracy,
          baseRecall: baseEvaluation.recall,
          recall: evaluation.recall,
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
    },
  };
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
