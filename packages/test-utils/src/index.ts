export { type CanvasDrawingOptions, drawDigitOnCanvas } from './canvas.js';
export { loadMnist, type MnistSet, mnistDigit } from './mnist.js';
export { seededRandom } from './random.js';
export { expectNoLeakedTensors } from './tensors.js';
