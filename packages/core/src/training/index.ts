export { type AugmentOptions, DEFAULT_AUGMENT } from './augment.js';
export { type DigitDataset, InvalidDatasetError } from './dataset.js';
export { type Evaluation, evaluateModel } from './evaluate.js';
export {
  type CoordinatorMessage,
  type GradientCoordinatorPort,
  type GradientPool,
  GradientPoolDisposedError,
  type GradientPoolSession,
  GradientWorkerError,
  type GradientWorkerPort,
  type GradientWorkerSetup,
  serveGradientWorker,
  UnsupportedParallelModelError,
  type WorkerMessage,
} from './parallel/index.js';
export { type TrainOptions, type TrainProgress, trainDigitModel } from './train.js';
