export { CrazyDigitsError, type CrazyDigitsErrorOptions, isCrazyDigitsError } from './crazy-digits-error.js';
