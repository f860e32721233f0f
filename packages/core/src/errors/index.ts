export type { CrazyDigitsErrorCode } from './codes.js';
export {
  CrazyDigitsError,
  type CrazyDigitsErrorOptions,
  errorWithCode,
  errorWithMessage,
  isCrazyDigitsError,
} from './crazy-digits-error.js';
