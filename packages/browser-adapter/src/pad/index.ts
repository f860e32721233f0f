export {
  type DigitPadElement,
  type DigitPadEventMap,
  defineDigitPad,
  type StrokeEndDetail,
} from './digit-pad-element.js';
export {
  CanvasUnavailableError,
  createDrawingPad,
  type DrawingPad,
  type DrawingPadOptions,
} from './drawing-pad.js';
