import { CrazyDigitsError } from '@crazy-digits/core';

/** The retrain worker thread crashed or exited during a run; the error or exit code is the `cause`. */
export class RetrainWorkerError extends CrazyDigitsError<'RETRAIN_WORKER_FAILED'> {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super('RETRAIN_WORKER_FAILED', `the retrain worker thread failed: ${reason}`, options);
  }
}
