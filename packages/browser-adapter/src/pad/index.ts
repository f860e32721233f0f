export {
  CanvasUnavailableError,
  createDrawingPad,
  type DrawingPad,
  type DrawingPadOptions,
} from './drawing-pad.js';
