/**
 * `@crazy-digits/core/store-kit`: the side door for people who write a correction or model
 * store, a retrain worker or an adapter. Apps need none of it: `@crazy-digits/core` is theirs.
 *
 * - store plumbing: ids, validation, paging cursors, artifact checks, version numbering;
 * - the error classes, for stores and workers that throw what core throws (apps match on
 *   `code` with `isCrazyDigitsError` instead);
 * - the gradient and retrain protocols a worker speaks (`serveGradientWorker`,
 *   `createPortRetrainer`/`serveRetrainer`), and the wire form of errors;
 * - the WebAssembly training kernels, for a worker that trains on the wasm backend.
 */
export { AssetLoadError } from './assets/read-asset.js';
export {
  BackendUnavailableError,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
} from './backend/index.js';
export {
  copyCorrection,
  createCorrectionId,
  DuplicateCorrectionError,
  InvalidCorrectionError,
  InvalidExportError,
  isValidCorrectionId,
  listPage,
  matchesFilter,
  type PendingAdd,
  pageSize,
  parseCursor,
  prepareCorrection,
  type QueueAddOptions,
  queueAdd,
  StorageError,
  StoreClosedError,
  validateCorrection,
  withPortableFormat,
} from './corrections/index.js';
export { type CrazyDigitsErrorOptions, errorWithCode, errorWithMessage } from './errors/index.js';
export {
  InvalidModelArtifactsError,
  ModelVersionNotFoundError,
  newVersion,
  type PreparedArtifacts,
  prepareArtifacts,
  prepareVersion,
} from './model-store/index.js';
export { NumberLengthMismatchError } from './numbers/index.js';
export {
  EmptyImageError,
  ImageTooLargeError,
  type InkSource,
  InvalidImageError,
  MIN_SIDE,
} from './preprocess/index.js';
export {
  InvalidRecognizerOptionsError,
  ModelLoadError,
  RecognizerDisposedError,
} from './recognizer/index.js';
export {
  type BaseModel,
  createPortRetrainer,
  DigitCodecError,
  fromWireError,
  type LabelledDigit,
  type ModelKnowledge,
  NoCorrectionsError,
  type PortRetrainer,
  type PortRetrainerOptions,
  RetrainConfigError,
  RetrainerDisposedError,
  type RetrainMessagePort,
  type RetrainRequest,
  type RetrainResult,
  type RetrainServerOptions,
  RetrainWorkerError,
  type RetrainWorkerSetup,
  serveRetrainer,
  toWireError,
  type WireError,
} from './retrain/index.js';
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
} from './training/parallel/index.js';
