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
  /** The corrections it was trained on (the undisputed ones). */
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

async function fitOf(network: InferenceNetwork, digits: readonly LabelledDigit[]): Promise<number> {
  if (digits.length === 0) return 1;
  const classes = classesOf((await passOver(network, imagesOf(digits))).probabilities);
  return digits.filter((digit, i) => classes[i] === digit.label).length / digits.length;
}

/**
 * The gate's verdict on a trained candidate, and its outputs on the rehearsal digits when it is
 * accepted (its feature mean, for serving it; a rejected candidate is never served). With `frozen`
 * outputs that fit the candidate, only its layers after them run on the validation and rehearsal
 * digits.
 */
export async function judge(candidate: tf.LayersModel, trial: Trial) {
  const { used, baseline, digits, gate, signal, keepFeatures, frozen } = trial;
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
