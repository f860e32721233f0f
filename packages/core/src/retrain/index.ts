export { createRetrainer } from './create-retrainer.js';
export { DigitCodecError } from './digit-codec.js';
export {
  NoCorrectionsError,
  RetrainConfigError,
  RetrainerDisposedError,
  RetrainWorkerError,
} from './errors.js';
export { createPortRetrainer, type PortRetrainer, type PortRetrainerOptions } from './port-client.js';
export type { RetrainMessagePort, RetrainWorkerSetup } from './port-messages.js';
export { type RetrainServerOptions, serveRetrainer } from './port-server.js';
export type {
  BaseModel,
  CorrectionsByDigit,
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
