export { type Architecture, createDigitModel, type DigitModelOptions } from './architecture.js';
export { bundleFiles, type ModelManifest, manifestToArtifacts } from './bundle.js';
export { loadBundledModel } from './bundled-model.js';
export { centredUnit, featuresOf, meanOf, withFeatures } from './features.js';
export { forward } from './forward.js';
export {
  exportModel,
  freshModel,
  importModel,
  storedAs,
  type WeightPrecision,
  type WeightStorage,
} from './serialize.js';
