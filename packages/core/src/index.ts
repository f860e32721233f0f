/**
 * `@crazy-digits/core`: what an app needs to recognise digits and learn from corrections.
 *
 * Names only store, worker and adapter authors need are in `@crazy-digits/core/store-kit`;
 * training a model from a dataset is in `@crazy-digits/core/training`. Errors are matched on
 * their `code` with `isCrazyDigitsError(error, code)`; the classes live in the store-kit.
 */
export {
  type BackendPreference,
  type UseBackendOptions,
  useBackend,
  type WasmFileName,
  type WasmPaths,
} from './backend/index.js';
export {
  type Correction,
  type CorrectionFilter,
  type CorrectionPage,
  type CorrectionStore,
  type CorrectionStream,
  createMemoryCorrectionStore,
  encodeCorrections,
  type ImportResult,
  importCorrections,
  type ListOptions,
  type NewCorrection,
} from './corrections/index.js';
export { CrazyDigitsError, type CrazyDigitsErrorCode, isCrazyDigitsError } from './errors/index.js';
export { exportModel, importModel, type WeightPrecision } from './model/index.js';
export {
  createMemoryModelStore,
  type MemoryModelStoreOptions,
  type ModelStore,
  type ModelVersion,
  type ModelVersionMeta,
  type StoredModel,
} from './model-store/index.js';
export type { NumberDigit, NumberReading, ReadNumberOptions } from './numbers/index.js';
export {
  type ByteArray,
  DEFAULT_MAX_SIDE,
  type GrayscaleImage,
  type ImageInput,
  MNIST_PIXELS,
  MNIST_SIDE,
  type PreprocessedImage,
  type PreprocessInfo,
  type PreprocessOptions,
  preprocess,
  type Rect,
  type RgbaImage,
  toImageData,
} from './preprocess/index.js';
export {
  type CorrectionDetails,
  createRecognizer,
  type DomImageSource,
  type Prediction,
  type Recognizer,
  type RecognizerEvents,
  type RecognizerInput,
  type RecognizerOptions,
  type RefreshOptions,
  type RetrainCallOptions,
  type RetrainOutcome,
  type RetrainPolicy,
} from './recognizer/index.js';
export {
  type CorrectionsByDigit,
  createRetrainer,
  type GateOptions,
  type Retrainer,
  type RetrainerOptions,
  type RetrainMetrics,
  type RetrainMode,
  type RetrainProgress,
} from './retrain/index.js';
