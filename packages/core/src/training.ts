/**
 * `@crazy-digits/core/training`: building and training a digit model from a dataset, and
 * measuring it. An app that only recognises and learns from corrections needs none of this;
 * it is what the bundled model was made with, for people who train their own.
 */
export { type Architecture, createDigitModel, type DigitModelOptions } from './model/index.js';
export {
  type AugmentOptions,
  DEFAULT_AUGMENT,
  type DigitDataset,
  type Evaluation,
  evaluateModel,
  InvalidDatasetError,
  NOT_A_DIGIT,
  type TrainOptions,
  type TrainProgress,
  trainDigitModel,
} from './training/index.js';
export { gaussian, type Random, seededRandom } from './training/random.js';
