export {
  openParallelTraining,
  type ParallelTrainer,
  type ParallelTrainingSetup,
  shardSizes,
} from './coordinator.js';
export { GradientPoolDisposedError, GradientWorkerError, UnsupportedParallelModelError } from './errors.js';
export { type FlatLayout, flatLayout, readWeightsInto, writeWeightsFrom } from './flat-weights.js';
export type {
  CoordinatorMessage,
  GradientCoordinatorPort,
  GradientPool,
  GradientPoolSession,
  GradientWorkerPort,
  GradientWorkerSetup,
  WorkerMessage,
} from './protocol.js';
export { type ShardGradients, shardGradients, trainableVariables } from './shard-gradients.js';
export { serveGradientWorker } from './worker-runtime.js';
