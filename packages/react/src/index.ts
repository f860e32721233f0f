/**
 * React bindings for `@crazy-digits/core` and its browser adapter: `useRecognizer` loads a
 * recogniser for a component's lifetime (once under `StrictMode`), and `<DigitPad>` is the
 * adapter's drawing pad as a component.
 *
 * @packageDocumentation
 */

export { DigitPad, type DigitPadHandle, type DigitPadProps } from './digit-pad.js';
export type { RecognizerSource, RecognizerState, RecognizerStatus } from './recognizer-lease.js';
export { useRecognizer } from './use-recognizer.js';
