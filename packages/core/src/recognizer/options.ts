import { CrazyDigitsError } from '../errors/index.js';
import type { RecognizerOptions, RetrainPolicy } from './types.js';

/** Chosen with `npm run bench -- uncertainty` (see the learning guide). */
const DEFAULT_UNCERTAIN_BELOW = 0.8;
/** Calibrated on the bundled model, see the learning guide. */
const DEFAULT_CORRECTION_THRESHOLD = 0.7;

/** An option of `createRecognizer` is out of its range. */
export class InvalidRecognizerOptionsError extends CrazyDigitsError<'INVALID_OPTIONS'> {
  constructor(message: string) {
    super('INVALID_OPTIONS', message);
  }
}

/** The options a recogniser acts on, checked, with their defaults filled in. */
export interface CheckedOptions {
  threshold: number;
  uncertainBelow: number;
  policy: RetrainPolicy;
}

/** Checks `createRecognizer`'s options before anything is loaded. */
export function checkOptions(options: RecognizerOptions): CheckedOptions {
  const threshold = options.correctionThreshold ?? DEFAULT_CORRECTION_THRESHOLD;
  if (!(threshold >= 0 && threshold < 1)) {
    throw new InvalidRecognizerOptionsError(`correctionThreshold must be in [0, 1), got ${threshold}`);
  }
  const uncertainBelow = options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  if (!(uncertainBelow >= 0 && uncertainBelow <= 1)) {
    throw new InvalidRecognizerOptionsError(`uncertainBelow must be in [0, 1], got ${uncertainBelow}`);
  }
  const policy = options.retrain ?? 'manual';
  if (policy !== 'manual' && !(Number.isInteger(policy.afterCorrections) && policy.afterCorrections >= 1)) {
    throw new InvalidRecognizerOptionsError(
      `retrain.afterCorrections must be a positive integer, got ${policy.afterCorrections}`,
    );
  }
  return { threshold, uncertainBelow, policy };
}
