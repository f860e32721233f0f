export { type AgreementOptions, DEFAULT_AGREEMENT, disputedCorrections } from './agreement.js';
export { createRetrainer } from './create-retrainer.js';
export { DigitCodecError } from './digit-codec.js';
export {
  NoCorrectionsError,
  RetrainConfigError,
  RetrainerDisposedError,
  RetrainWorkerError,
} from './errors.js';
export { DEFAULT_GATE, gateVerdict } from './gate.js';
export { createPortRetrainer, type PortRetrainer, type PortRetrainerOptions } from './port-client.js';
export type { RetrainMessagePort, RetrainWorkerSetup } from './port-messages.js';
export { type RetrainServerOptions, serveRetrainer } from './port-server.js';
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
