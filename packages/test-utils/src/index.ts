export {
  type BrowserHarness,
  type BrowserPageOptions,
  chromiumPath,
  noChromiumReason,
  openBrowserPage,
} from './browser.js';
export {
  type CanvasDrawingOptions,
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  drawStrokes,
  type PenStroke,
  type StrokeDrawingOptions,
} from './canvas.js';
export {
  type CorrectionStoreHarness,
  describeCorrectionStoreContract,
  sampleCorrection,
} from './correction-store-contract.js';
export { expectCode } from './expect-code.js';
export { glyphVariants } from './glyphs.js';
export { correlation, shiftDigit } from './images.js';
export { loadMnist, type MnistSet, mnistDigit } from './mnist.js';
export {
  describeModelStoreContract,
  type ModelStoreHarness,
  sampleArtifacts,
} from './model-store-contract.js';
export {
  byWriter,
  drawPenDigit,
  loadPenDigits,
  PEN_DIGITS_HELP,
  type PenCanvasOptions,
  type PenDigit,
  padGeometry,
  STREAM_WRITER_MIN_DIGITS,
  splitWriters,
  trainingGeometry,
  type WriterSplit,
} from './pen-digits.js';
export {
  type DrawnNumber,
  drawMnistNumber,
  drawPenNumber,
  type InkBox,
  type MnistNumberOptions,
  type NumberCanvasOptions,
  type NumberSpacing,
} from './pen-numbers.js';
export { pngChunk } from './png.js';
export { dropSchema, freshSchema, type TestDatabase, testDatabase } from './postgres.js';
export { drawScribble } from './scribble.js';
export { expectNoLeakedTensors } from './tensors.js';
export type { WriterImage } from './writer-sample.js';
export type { WriterStyle } from './writer-style.js';
export { createWriter, type Writer, type WrittenDigit } from './writers.js';
