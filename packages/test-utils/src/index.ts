export { expectNoLeakedTensors } from './tensors.js';
