import { CrazyDigitsError } from '../errors/index.js';

/** The recogniser was used after `dispose()`. */
export class RecognizerDisposedError extends CrazyDigitsError<'RECOGNIZER_DISPOSED'> {
  constructor() {
    super('RECOGNIZER_DISPOSED', 'this recognizer has been disposed');
  }
}

/** The model could not be loaded, or is not a digit classifier (input 28x28x1, output 10). */
export class ModelLoadError extends CrazyDigitsError<'MODEL_LOAD_FAILED'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('MODEL_LOAD_FAILED', message, options);
  }
}
