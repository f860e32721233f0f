import type * as tf from '@tensorflow/tfjs';
import type { DigitDataset } from '../training/dataset.js';
import { type Evaluation, scoreClasses } from '../training/evaluate.js';
import { imagesOf } from './digits.js';
import type { DigitSet, FrozenOutputs } from './frozen-outputs.js';
import { gateVerdict } from './gate.js';
import { type InferenceNetwork, splitNetwork } from './inference.js';
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

/**
 * The gate's verdict on a trained candidate, and its outputs on the rehearsal digits when it is
 * accepted (its feature mean, for serving it; a rejected candidate is never served). With `frozen`
 * outputs that fit the candidate, only its layers after them run on the validation and rehearsal
 * digits.
 */
export async function judge(candidate: tf.LayersModel, trial: Trial) {
  const { corrections, used, baseline, digits, gate, signal, keepFeatures, frozen } = trial;
  // Cut at 0 when nothing is kept: no frozen layers, the whole network (folded once) after them.
  const split = splitNetwork(candidate, frozen?.from ?? 0, true);
  try {
    const network: InferenceNetwork = (images) => split.rest(split.frozen(images));
    /** A pass over one set: through the layers after the frozen ones when their outputs are kept. */
    const over = async (set: DigitSet, keep: boolean) => {
      if (!frozen) return passOver(network, digits[set].images, { signal, keepFeatures: keep });
      const inputs = await frozen.of(set, split.frozen, () => digits[set].images, signal);
      return passOver(split.rest, inputs.values, { signal, keepFeatures: keep, shape: inputs.shape });
    };
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
