import type { Evaluation } from '../training/evaluate.js';
import type { PassOutputs } from './passes.js';
import type { BaseModel, ModelKnowledge } from './types.js';

/**
 * What is known of a model's weights, on the bundled digits only: a retrainer given other digits
 * (its `rehearsal` or `validation` options) neither trusts nor makes it, since these scores would
 * not be about its digits.
 */
export interface Knowledge {
  /** The gate's evaluation on the bundled validation digits. */
  evaluation?: Evaluation;
  /**
   * Outputs on the bundled rehearsal digits: mean features (the featureMean corrections are matched
   * around), probabilities (distillation targets) and, when kept, each digit's features.
   */
  rehearsal?: Pick<PassOutputs, 'featureMean' | 'probabilities' | 'features'>;
}

/** The one place the opaque handle is opened. */
export const knowledgeOf = (model: BaseModel): Knowledge => (model.known ?? {}) as Knowledge;

/** The one place the opaque handle is made. */
export const withKnowledge = (artifacts: BaseModel['artifacts'], known: Knowledge): BaseModel => ({
  artifacts,
  known: known as unknown as ModelKnowledge,
});
