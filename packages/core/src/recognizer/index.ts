export { ModelLoadError } from '../model/errors.js';
export { createRecognizer } from './create-recognizer.js';
export type { DomImageSource } from './dom-source.js';
export { RecognizerDisposedError } from './errors.js';
export { InvalidRecognizerOptionsError } from './options.js';
export type {
  CorrectionDetails,
  Prediction,
  Recognizer,
  RecognizerEvents,
  RecognizerInput,
  RecognizerOptions,
  RefreshOptions,
  RetrainCallOptions,
  RetrainOutcome,
  RetrainPolicy,
} from './types.js';
