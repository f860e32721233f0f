import { CrazyDigitsError } from '../errors/index.js';

/** Incremental retraining was asked for with no corrections to learn. */
export class NoCorrectionsError extends CrazyDigitsError<'NO_CORRECTIONS'> {
  constructor() {
    super('NO_CORRECTIONS', 'there are no corrections to retrain on');
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
