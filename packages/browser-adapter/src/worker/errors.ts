import { CrazyDigitsError } from '@crazy-digits/core';

/**
 * The retrain worker could not do its job: it failed to load or crashed, a request could not be
 * posted to it, or a run failed there with an error that has no crazy-digits `code` (that error
 * is the `cause`). Errors with a code are re-thrown with their own code instead.
 */
export class RetrainWorkerError extends CrazyDigitsError<'RETRAIN_WORKER_FAILED'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('RETRAIN_WORKER_FAILED', message, options);
  }
}
