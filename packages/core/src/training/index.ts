export { type AugmentOptions, DEFAULT_AUGMENT } from './augment.js';
export { type DigitDataset, InvalidDatasetError, NOT_A_DIGIT } from './dataset.js';
export { type Evaluation, evaluateModel } from './evaluate.js';
export { type TrainOptions, type TrainProgress, trainDigitModel } from './train.js';
