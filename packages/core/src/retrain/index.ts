export { createRetrainer } from './create-retrainer.js';
export { DigitCodecError } from './digit-codec.js';
export { NoCorrectionsError, RetrainConfigError, RetrainerDisposedError } from './errors.js';
export type {
  BaseModel,
  GateOptions,
  LabelledDigit,
  ModelKnowledge,
  Retrainer,
  RetrainerOptions,
  RetrainMetrics,
  RetrainMode,
  RetrainProgress,
  RetrainRequest,
  RetrainResult,
} from './types.js';
export { fromWireError, toWireError, type WireError } from './wire-error.js';
