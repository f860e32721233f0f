export { createRecognizer } from './create-recognizer.js';
export { ModelLoadError, RecognizerDisposedError } from './errors.js';
export type {
  CorrectionDetails,
  Prediction,
  Recognizer,
  RecognizerInput,
  RecognizerOptions,
} from './types.js';
