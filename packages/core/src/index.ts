export { CrazyDigitsError, type CrazyDigitsErrorOptions, isCrazyDigitsError } from './errors/index.js';
