export type { CrazyDigitsErrorCode } from './codes.js';
export { CrazyDigitsError, type CrazyDigitsErrorOptions, isCrazyDigitsError } from './crazy-digits-error.js';
