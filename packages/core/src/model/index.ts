export { type Architecture, createDigitModel, type DigitModelOptions } from './architecture.js';
export { artifactsToModuleSource, type EmbeddedModel, embeddedToArtifacts } from './bundle.js';
export { centredUnit, featuresOf, meanOf, withFeatures } from './features.js';
export { forward } from './forward.js';
export { exportModel, freshModel, importModel, type WeightPrecision } from './serialize.js';
