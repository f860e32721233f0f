import type * as tf from '@tensorflow/tfjs';
import { type InferenceNetwork, type SplitNetwork, splitNetwork } from '../model/inference.js';
import type { DigitDataset } from '../training/dataset.js';
import { type Evaluation, scoreClasses } from '../training/evaluate.js';
import { imagesOf } from './digits.js';
import type { DigitSet, FrozenOutputs } from './frozen-outputs.js';
import { gateVerdict } from './gate.js';
import { classesOf, passOver } from './passes.js';
import type { GateOptions, LabelledDigit } from './types.js';

/** What {@link judge} weighs a candidate with. */
export interface Trial {
  /** Every correction of the run. */
  corrections: readonly LabelledDigit[];
  /** Those it was trained on (the undisputed ones): some of `corrections`, the same objects. */
  used: readonly LabelledDigit[];
  /** The served model's evaluation on the validation digits. */
  baseline: Evaluation;
  digits: { validation: DigitDataset; rehearsal: DigitDataset };
  gate?: GateOptions;
  signal?: AbortSignal;
  /** Keep each rehearsal digit's features (a recogniser's correction memory takes them). */
  keepFeatures: boolean;
  /** The frozen layers' outputs, when the run left layers frozen. */
  frozen?: FrozenOutputs;
}

/** The class a network reads each digit as. */
export async function classesOfDigits(
  network: InferenceNetwork,
  digits: readonly LabelledDigit[],
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (digits.length === 0) return new Uint8Array(0);
  return classesOf((await passOver(network, imagesOf(digits), { signal })).probabilities);
}

/** `model` cut where `frozen`'s outputs are kept; at 0 without them (the whole network, folded once). */
const splitAt = (model: tf.LayersModel, frozen: FrozenOutputs | undefined) =>
  splitNetwork(model, frozen?.from ?? 0, true);

/**
 * A pass over one set of digits: with `frozen` outputs that fit the model `split` cuts, only
 * through its layers after the frozen ones.
 */
function passOverSet(
  split: SplitNetwork,
  images: Float32Array,
  options: { set: DigitSet; frozen: FrozenOutputs | undefined; keepFeatures?: boolean; signal?: AbortSignal },
) {
  const { set, frozen, keepFeatures = false, signal } = options;
  if (!frozen) return passOver((x) => split.rest(split.frozen(x)), images, { signal, keepFeatures });
  return frozen
    .of(set, split.frozen, () => images, signal)
    .then((inputs) => passOver(split.rest, inputs.values, { signal, keepFeatures, shape: inputs.shape }));
}

/** `model`'s accuracy and recall on the validation digits, through `frozen` outputs when they fit it. */
export async function evaluateOn(
  model: tf.LayersModel,
  validation: DigitDataset,
  frozen: FrozenOutputs | undefined,
  signal?: AbortSignal,
): Promise<Evaluation> {
  const split = splitAt(model, frozen);
  try {
    const { probabilities } = await passOverSet(split, validation.images, {
      set: 'validation',
      frozen,
      signal,
    });
    return scoreClasses(classesOf(probabilities), validation.labels);
  } finally {
    split.dispose();
  }
}

/**
 * Makes `frozen`'s outputs on both sets now, with `model`'s frozen layers (a model they fit), so
 * that a run from it starts on them.
 */
export async function makeFrozenOutputs(
  model: tf.LayersModel,
  frozen: FrozenOutputs,
  digits: { validation: DigitDataset; rehearsal: DigitDataset },
  signal?: AbortSignal,
): Promise<void> {
  const split = splitAt(model, frozen);
  try {
    for (const set of ['validation', 'rehearsal'] as const)
      await frozen.of(set, split.frozen, () => digits[set].images, signal);
  } finally {
    split.dispose();
  }
}

/**
 * The gate's verdict on a trained candidate, and its outputs on the rehearsal digits when it is
 * accepted (its feature mean, for serving it; a rejected candidate is never served). With `frozen`
 * outputs that fit the candidate, only its layers after them run on the validation and rehearsal
 * digits.
 */
export async function judge(candidate: tf.LayersModel, trial: Trial) {
  const { corrections, used, baseline, digits, gate, signal, keepFeatures, frozen } = trial;
  const split = splitAt(candidate, frozen);
  try {
    const network: InferenceNetwork = (images) => split.rest(split.frozen(images));
    const over = (set: DigitSet, keep: boolean) =>
      passOverSet(split, digits[set].images, { set, frozen, keepFeatures: keep, signal });
    const evaluation = scoreClasses(
      classesOf((await over('validation', false)).probabilities),
      digits.validation.labels,
    );
    const classes = await classesOfDigits(network, corrections, signal);
    const trained = new Set(used);
    const fitted = corrections.filter((c, i) => trained.has(c) && classes[i] === c.label).length;
    const correctionsFit = used.length === 0 ? 1 : fitted / used.length;
    const reason =
      used.length === 0
        ? 'every correction is disputed by close corrections with another label'
        : gateVerdict(baseline, evaluation, correctionsFit, gate);
    const outputs = reason === undefined ? await over('rehearsal', keepFeatures) : undefined;
    return { evaluation, correctionsFit, classes, reason, outputs };
  } finally {
    split.dispose();
  }
}
