import { CrazyDigitsError, type CrazyDigitsErrorOptions } from '../errors/index.js';

/**
 * Incremental retraining was asked for with no corrections to learn: none at all, or (from a
 * recogniser) none the served weights were not already trained on.
 */
export class NoCorrectionsError extends CrazyDigitsError<'NO_CORRECTIONS'> {
  constructor(message = 'there are no corrections to retrain on') {
    super('NO_CORRECTIONS', message);
  }
}

/** The retrainer was disposed. */
export class RetrainerDisposedError extends CrazyDigitsError<'RETRAINER_DISPOSED'> {
  constructor() {
    super('RETRAINER_DISPOSED', 'the retrainer was disposed');
  }
}

/** The retrainer lacks what the requested mode needs (e.g. `fullData` for `'full'`). */
export class RetrainConfigError extends CrazyDigitsError<'RETRAIN_CONFIG'> {
  constructor(message: string) {
    super('RETRAIN_CONFIG', message);
  }
}

/**
 * A retrainer in another thread could not do its job: its worker failed to start, crashed, exited
 * or closed its port, a request could not be posted to it, or a run failed there with an error
 * that has no crazy-digits `code` (that error is the `cause`). Errors with a code come back with
 * their own code instead.
 */
export class RetrainWorkerError extends CrazyDigitsError<'RETRAIN_WORKER_FAILED'> {
  constructor(message: string, options: CrazyDigitsErrorOptions = {}) {
    super('RETRAIN_WORKER_FAILED', message, options);
  }
}
