export { readNumber } from './read-number.js';
export {
  type NumberDigit,
  NumberLengthMismatchError,
  type NumberReading,
  type ReadNumberOptions,
} from './types.js';
