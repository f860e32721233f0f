import { CrazyDigitsError } from '../errors/index.js';

/** The requested TensorFlow.js backend cannot run here (not installed, no WebGL, native binary missing…). */
export class BackendUnavailableError extends CrazyDigitsError<'BACKEND_UNAVAILABLE'> {
  /** The backend that was asked for. */
  readonly backend: string;

  constructor(backend: string, reason: string, options: { cause?: unknown } = {}) {
    super('BACKEND_UNAVAILABLE', `the "${backend}" backend is not available: ${reason}`, options);
    this.backend = backend;
  }
}
