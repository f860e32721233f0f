import * as tf from '@tensorflow/tfjs';
import { splitNetwork } from '../model/inference.js';
import { nextTask } from '../next-task.js';
import { MNIST_PIXELS } from '../preprocess/validate.js';
import { createAugmenter, DEFAULT_AUGMENT } from '../training/augment.js';
import { type DigitDataset, digitAt, shuffledIndices } from '../training/dataset.js';
import { MomentumSgd } from '../training/optimizer.js';
import { trainableVariables } from '../training/parallel/shard-gradients.js';
import { seededRandom } from '../training/random.js';
import { sameValues, weightsBefore } from './frozen-outputs.js';
import type { LabelledDigit } from './types.js';

/** Digits per step: corrections and rehearsed digits. */
const CORRECTIONS_PER_STEP = 8;
const REHEARSAL_PER_STEP = 24;
/** Corrections are distorted more often than training digits: each is seen only a few times. */
const CORRECTION_AUGMENT = { ...DEFAULT_AUGMENT, share: 0.75 };

const MAX_GRADIENT_NORM = 2;

/**
 * How much more a rehearsed digit's loss counts than a correction's: higher forgets less and
 * fits fewer corrections. Chosen on real and hard writers' corrections; the learning guide's
 * "Consolidation" section has the measurements.
 */
export const DEFAULT_REHEARSAL_WEIGHT = 12;

/** Settings of one incremental run. */
export interface IncrementalPlan {
  steps: number;
  learningRate: number;
  seed: number;
  /**
   * How many times each correction is seen over the run at least (spread evenly over the steps);
   * more when that leaves steps with fewer than 8 corrections.
   */
  passes: number;
  /**
   * The model before fine-tuning. When given, rehearsed digits are taught its own answers (soft
   * targets: distillation) rather than their labels, which holds the function itself in place on
   * everything the corrections do not concern — measured to forget less than labels alone.
   */
  teacher?: tf.LayersModel;
  /**
   * The teacher's probabilities for each rehearsal digit as it is (10 per digit, in order), when
   * known already: the targets of undistorted views, which then skip the teacher's forward pass
   * (about half of them; distorted views are always taught live).
   */
  teacherAnswers?: Float32Array;
  /** Only variables of layers from this index on are trained (early feature extractors stay). */
  trainFrom?: number;
  /**
   * Loss weight of a rehearsed digit relative to a correction's view. Default
   * {@link DEFAULT_REHEARSAL_WEIGHT}.
   */
  rehearsalWeight?: number;
  signal?: AbortSignal;
  /** Called after each step with the steps done and the step's losses. */
  onStep?: (step: number, losses: StepLosses) => void;
}

/** The losses of one step, before its update: cross-entropies in nats (natural log). */
export interface StepLosses {
  /** What the step descended: the weighted mean over its batch. */
  loss: number;
  /** The mean over the step's views of corrections alone; absent when it showed none. */
  correctionLoss?: number;
}

/** A rehearsed digit as shown in a step, with the teacher's answer on it when known. */
interface RehearsedView {
  image: Float32Array;
  label: number;
  answer?: Float32Array;
}

const sameImage = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Steps for `count` corrections, each seen about `passes` times. */
export const plannedSteps = (count: number, passes: number, minSteps: number, maxSteps: number) =>
  Math.max(minSteps, Math.min(maxSteps, Math.ceil((count * passes) / CORRECTIONS_PER_STEP)));

/**
 * Index in `model.layers` of the last strided convolution — where the network's last stage
 * starts — or 0 when it has none. Incremental runs train from there: for the shipped model that
 * freezes the 28, 14 and 7 px stages, which skips most of the backward pass with the same
 * outcome as training every layer (measured in the learning guide).
 */
export function lastStageStart(model: tf.LayersModel): number {
  const index = model.layers.findLastIndex((layer) => {
    if (layer.getClassName() !== 'Conv2D') return false;
    const { strides } = layer.getConfig() as { strides?: number | number[] };
    return (Array.isArray(strides) ? strides : [strides ?? 1]).some((s) => s > 1);
  });
  return Math.max(0, index);
}

/**
 * Fine-tunes `model` in place on `corrections`, rehearsing `rehearsal` in every step, with batch
 * norm frozen (its moving statistics are used and kept: 32-digit batches skewed towards one
 * user's corrections would otherwise rewrite what "typical" activations look like for every
 * digit) and a cosine-decayed learning rate. Measured choices: see the learning guide.
 */
export async function fineTune(
  model: tf.LayersModel,
  corrections: readonly LabelledDigit[],
  rehearsal: DigitDataset,
  plan: IncrementalPlan,
): Promise<void> {
  const random = seededRandom(plan.seed);
  const augmenter = createAugmenter(random, CORRECTION_AUGMENT);
  const rehearsalAugmenter = createAugmenter(random, DEFAULT_AUGMENT);
  const images = new Float32Array((CORRECTIONS_PER_STEP + REHEARSAL_PER_STEP) * MNIST_PIXELS);
  const targets = new Float32Array((CORRECTIONS_PER_STEP + REHEARSAL_PER_STEP) * 10);
  const rehearsalWeight = plan.rehearsalWeight ?? DEFAULT_REHEARSAL_WEIGHT;
  // Views of corrections are spread evenly over the steps, 8 in every step: the balance of
  // corrections against rehearsal (the rehearsal weight, the rate) was measured with full steps.
  // A large run sees each correction `passes` times, not in every step; a run of a few over the
  // minimum of steps sees each more often, since at `passes` it had under one view a step, fitted
  // a third of 5 real writers' corrections and was rejected by the gate (docs/benchmarks.md,
  // "Learning from corrections: a first consolidation of a few corrections").
  const views = Math.max(corrections.length * plan.passes, plan.steps * CORRECTIONS_PER_STEP);
  const viewsBefore = (step: number) => Math.round((step * views) / plan.steps);
  const trainFrom = plan.trainFrom ?? lastStageStart(model);
  const variables = trainableVariables(model).filter((variable) =>
    model.layers
      .slice(trainFrom)
      .some((layer) => layer.trainableWeights.some((weight) => weight.read() === variable)),
  );
  // Inference mode with batch norm folded into the convolutions: the same function of the same
  // variables as `model.apply(x, { training: false })`, in fewer, fused kernels. The layers before
  // `trainFrom` do not change: they run outside the gradient tape.
  const student = splitNetwork(model, trainFrom);
  // A teacher whose frozen layers hold the same weights (the model before this run) takes the
  // student's output of them instead of running them again.
  const teacher = plan.teacher ? splitNetwork(plan.teacher, trainFrom, true) : undefined;
  const sharedFrozen =
    plan.teacher !== undefined &&
    sameValues(weightsBefore(model, trainFrom), weightsBefore(plan.teacher, trainFrom));
  const optimizer = new MomentumSgd(plan.learningRate);
  let correctionOrder = shuffledIndices(corrections.length, random);
  let correctionAt = 0;
  let rehearsalOrder = shuffledIndices(rehearsal.labels.length, random);
  let rehearsalAt = 0;
  const nextCorrection = () => {
    if (correctionAt === correctionOrder.length) {
      correctionOrder = shuffledIndices(corrections.length, random);
      correctionAt = 0;
    }
    const correction = corrections[correctionOrder[correctionAt++] ?? 0];
    if (!correction) throw new Error('unreachable: corrections are not empty');
    return { image: augmenter.augment(correction.image), label: correction.label };
  };
  const nextRehearsal = (): RehearsedView => {
    if (rehearsalAt === rehearsalOrder.length) {
      rehearsalOrder = shuffledIndices(rehearsal.labels.length, random);
      rehearsalAt = 0;
    }
    const index = rehearsalOrder[rehearsalAt++] ?? 0;
    const digit = digitAt(rehearsal, index);
    const image = rehearsalAugmenter.augment(digit);
    const answers = teacher ? plan.teacherAnswers : undefined;
    // An undistorted view is the digit itself: the teacher's answer on it is known already.
    const answer =
      answers && sameImage(image, digit) ? answers.subarray(index * 10, index * 10 + 10) : undefined;
    return { image, label: rehearsal.labels[index] ?? 0, ...(answer ? { answer } : {}) };
  };
  try {
    for (let step = 0; step < plan.steps; step++) {
      plan.signal?.throwIfAborted();
      const shown = Math.min(CORRECTIONS_PER_STEP, viewsBefore(step + 1) - viewsBefore(step));
      const batch = shown + REHEARSAL_PER_STEP;
      targets.fill(0);
      for (let b = 0; b < shown; b++) {
        const { image, label } = nextCorrection();
        images.set(image, b * MNIST_PIXELS);
        targets[b * 10 + label] = 1;
      }
      // Rehearsed digits with a known answer first, the rest after them: the teacher runs on those.
      const rehearsed = Array.from({ length: REHEARSAL_PER_STEP }, nextRehearsal);
      const ordered = [...rehearsed.filter((v) => v.answer), ...rehearsed.filter((v) => !v.answer)];
      ordered.forEach((view, i) => {
        const slot = shown + i;
        images.set(view.image, slot * MNIST_PIXELS);
        if (view.answer) targets.set(view.answer, slot * 10);
        else targets[slot * 10 + view.label] = 1;
      });
      const taught = shown + ordered.filter((v) => v.answer).length;
      optimizer.setLearningRate(plan.learningRate * 0.5 * (1 + Math.cos((Math.PI * step) / plan.steps)));
      /** The step's per-view losses of corrections, kept out of the gradient's scope to be read. */
      let views: tf.Tensor | undefined;
      let lossTensors: tf.Tensor[];
      try {
        lossTensors = tf.tidy(() => {
          const x = tf.tensor4d(images.subarray(0, batch * MNIST_PIXELS), [batch, 28, 28, 1]);
          const hidden = student.frozen(x);
          let y: tf.Tensor = tf.tensor2d(targets.subarray(0, batch * 10), [batch, 10]);
          if (teacher && taught < batch) {
            const input = sharedFrozen ? hidden.slice(taught) : teacher.frozen(x.slice(taught));
            y = tf.concat([y.slice(0, taught), teacher.rest(input).probabilities]);
          }
          // A weighted mean: each rehearsed digit counts `rehearsalWeight` times a correction.
          const weights = tf.concat([tf.ones([shown]), tf.fill([batch - shown], rehearsalWeight)]);
          const { value, grads } = tf.variableGrads(() => {
            const losses = tf.metrics.categoricalCrossentropy(y, student.rest(hidden).probabilities);
            if (shown > 0) views = tf.keep(losses.slice(0, shown));
            return tf.div(tf.sum(tf.mul(losses, weights)), tf.sum(weights));
          }, variables);
          // Corrections are by nature digits the model gets confidently wrong: their gradients can
          // be large enough to wreck the weights in one step, so steps are clipped by global norm.
          const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
          const scale = tf.minimum(1, tf.div(MAX_GRADIENT_NORM, tf.maximum(norm, 1e-12)));
          optimizer.applyGradients(
            Object.entries(grads).map(([name, tensor]) => ({ name, tensor: tf.mul(tensor, scale) })),
          );
          return views ? [value, tf.mean(views)] : [value];
        });
      } finally {
        views?.dispose();
      }
      const [loss = Number.NaN, correctionLoss] = await Promise.all(
        lossTensors.map(async (tensor) => (await tensor.data())[0]),
      );
      tf.dispose(lossTensors);
      plan.onStep?.(step + 1, { loss, ...(correctionLoss === undefined ? {} : { correctionLoss }) });
      // Yield between steps so predictions, corrections and abort signals are served meanwhile.
      await nextTask();
    }
  } finally {
    optimizer.dispose();
    student.dispose();
    teacher?.dispose();
  }
}
