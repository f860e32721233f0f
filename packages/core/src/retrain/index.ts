export { type AgreementOptions, DEFAULT_AGREEMENT, disputedCorrections } from './agreement.js';
export { createRetrainer } from './create-retrainer.js';
export { DigitCodecError } from './digit-codec.js';
export { NoCorrectionsError, RetrainConfigError, RetrainerDisposedError } from './errors.js';
export { DEFAULT_GATE, gateVerdict } from './gate.js';
export { bundledDigits } from './rehearsal-set.js';
export type {
  GateOptions,
  LabelledDigit,
  Retrainer,
  RetrainerOptions,
  RetrainMetrics,
  RetrainMode,
  RetrainProgress,
  RetrainRequest,
  RetrainResult,
} from './types.js';
export { fromWireError, toWireError, type WireError } from './wire-error.js';
