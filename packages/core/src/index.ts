export {
  type BackendPreference,
  BackendUnavailableError,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  type UseBackendOptions,
  useBackend,
} from './backend/index.js';
export { CrazyDigitsError, type CrazyDigitsErrorOptions, isCrazyDigitsError } from './errors/index.js';
export {
  type Architecture,
  createDigitModel,
  type DigitModelOptions,
  exportModel,
  importModel,
  type WeightPrecision,
} from './model/index.js';
export {
  type ByteArray,
  DEFAULT_MAX_SIDE,
  EmptyImageError,
  type GrayscaleImage,
  type ImageInput,
  ImageTooLargeError,
  type InkSource,
  InvalidImageError,
  MIN_SIDE,
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
  createRecognizer,
  ModelLoadError,
  type Prediction,
  type Recognizer,
  RecognizerDisposedError,
  type RecognizerInput,
  type RecognizerOptions,
} from './recognizer/index.js';
export {
  type AugmentOptions,
  DEFAULT_AUGMENT,
  type DigitDataset,
  type Evaluation,
  evaluateModel,
  InvalidDatasetError,
  type TrainOptions,
  type TrainProgress,
  trainDigitModel,
} from './training/index.js';
