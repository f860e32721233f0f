import { errorWithCode } from '../errors/crazy-digits-error.js';

/** The model could not be loaded, or is not a digit classifier (input 28x28x1, output 10). */
export class ModelLoadError extends errorWithCode('MODEL_LOAD_FAILED') {}
