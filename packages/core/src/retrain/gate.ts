import type { Evaluation } from '../training/evaluate.js';
import type { GateOptions } from './types.js';

export const DEFAULT_GATE: Required<GateOptions> = {
  maxAccuracyDrop: 0.005,
  maxRecallDrop: 0.02,
  minCorrectionsFit: 0.8,
};

const points = (fraction: number) => `${(fraction * 100).toFixed(2)} points`;

/**
 * The validation gate: `undefined` when the candidate may be served, else why not. A candidate
 * must keep held-out accuracy overall and on every digit (what forgetting and poisoned
 * corrections damage) and must have learned the corrections (or retraining did nothing).
 */
export function gateVerdict(
  base: Evaluation,
  candidate: Evaluation,
  correctionsFit: number,
  options: GateOptions = {},
): string | undefined {
  const limits = { ...DEFAULT_GATE, ...options };
  const drop = base.accuracy - candidate.accuracy;
  if (drop > limits.maxAccuracyDrop + 1e-9)
    return `held-out accuracy fell by ${points(drop)} (limit ${points(limits.maxAccuracyDrop)})`;
  for (let digit = 0; digit < 10; digit++) {
    const recallDrop = (base.recall[digit] ?? 0) - (candidate.recall[digit] ?? 0);
    if (recallDrop > limits.maxRecallDrop + 1e-9)
      return `held-out recall of ${digit} fell by ${points(recallDrop)} (limit ${points(limits.maxRecallDrop)})`;
  }
  if (correctionsFit < limits.minCorrectionsFit)
    return `the candidate gets ${points(correctionsFit)} of the corrections right (needs ${points(limits.minCorrectionsFit)})`;
  return undefined;
}
