/**
 * Every `code` a crazy-digits error can carry, in core and in the adapters. Match on these with
 * {@link isCrazyDigitsError} (`isCrazyDigitsError(error, 'EMPTY_IMAGE')`) rather than importing
 * the error classes: a code survives a worker boundary, a bundler's duplicate copy and a JSON
 * log, where a class does not. Each code's meaning is listed in the package README.
 */
export type CrazyDigitsErrorCode =
  // Images and preprocessing
  | 'INVALID_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'EMPTY_IMAGE'
  | 'UNSUPPORTED_IMAGE_FORMAT'
  | 'INVALID_DATA_URL'
  | 'ENCODED_IMAGE_TOO_LARGE'
  | 'IMAGE_FILE_UNREADABLE'
  | 'IMAGE_DECODER_UNAVAILABLE'
  | 'CANVAS_UNAVAILABLE'
  // Recognizer, backend and models
  | 'INVALID_OPTIONS'
  | 'BACKEND_UNAVAILABLE'
  | 'RECOGNIZER_DISPOSED'
  | 'MODEL_LOAD_FAILED'
  | 'ASSET_LOAD_FAILED'
  | 'INVALID_MODEL_ARTIFACTS'
  | 'MODEL_VERSION_NOT_FOUND'
  | 'NUMBER_LENGTH_MISMATCH'
  // Corrections and storage
  | 'INVALID_CORRECTION'
  | 'DUPLICATE_CORRECTION'
  | 'INVALID_EXPORT'
  | 'STORE_CLOSED'
  | 'STORAGE_FAILED'
  | 'STORE_DAMAGED'
  | 'STORAGE_QUOTA_EXCEEDED'
  | 'DATABASE_BLOCKED'
  | 'DATABASE_UNAVAILABLE'
  | 'INVALID_POSTGRES_OPTIONS'
  // Retraining and training
  | 'NO_CORRECTIONS'
  | 'RETRAIN_CONFIG'
  | 'RETRAINER_DISPOSED'
  | 'RETRAIN_WORKER_FAILED'
  | 'DIGIT_CODEC'
  | 'INVALID_DATASET'
  | 'GRADIENT_WORKER_FAILED'
  | 'GRADIENT_POOL_DISPOSED'
  | 'UNSUPPORTED_PARALLEL_MODEL';
