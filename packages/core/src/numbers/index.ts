export { type CorrectDigit, correctNumber } from './correct-number.js';
export { readNumber } from './read-number.js';
export {
  type NumberDigit,
  NumberLengthMismatchError,
  type NumberReading,
  type ReadNumberOptions,
} from './types.js';
