import { errorWithMessage } from '../errors/crazy-digits-error.js';

/** The recogniser was used after `dispose()`. */
export class RecognizerDisposedError extends errorWithMessage(
  'RECOGNIZER_DISPOSED',
  'this recognizer has been disposed',
) {}
