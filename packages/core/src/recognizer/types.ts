import type * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '../backend/index.js';
import type { ImageInput, PreprocessedImage } from '../preprocess/index.js';

/**
 * What `predict` reads: anything `preprocess` reads (RGBA or grayscale pixels, MNIST-style
 * `Float32Array(784)`), or an MNIST-style tensor of shape `[28, 28]`, `[28, 28, 1]`,
 * `[1, 28, 28, 1]` or `[784]` with values 0–1 (white ink on black). Tensors are read, not disposed.
 */
export type RecognizerInput = ImageInput | tf.Tensor;

/** One prediction. */
export interface Prediction {
  /** The most likely digit, 0–9. */
  digit: number;
  /** Probability of `digit`, 0–1. */
  confidence: number;
  /** Probability of each digit 0–9; sums to 1. */
  probabilities: number[];
  /**
   * True when `confidence` is under the recogniser's `uncertainBelow` threshold: the drawing is
   * probably not a clear digit (a scribble, two digits, a letter). Show "not sure" rather than
   * the digit.
   */
  uncertain: boolean;
  /** The 28x28 image the model saw, for previews and debugging (`toImageData` renders it). */
  preprocessed: PreprocessedImage;
}

/** Options for {@link createRecognizer}. */
export interface RecognizerOptions {
  /**
   * The model: omitted for the bundled pretrained weights (no network), or tfjs layers-model
   * artifacts, a URL/path tfjs can load (`'indexeddb://…'`, `'https://…/model.json'`,
   * `'file://…'` with tfjs-node) or any `tf.io.IOHandler`.
   */
  model?: tf.io.ModelArtifacts | string | tf.io.IOHandler;
  /** Which TensorFlow.js backend to run on. Default `'auto'` (see `useBackend`). */
  backend?: BackendPreference;
  /** Confidence under which a prediction is flagged `uncertain`. Default 0.6. */
  uncertainBelow?: number;
  /** Largest accepted image side in pixels. Default 4096. */
  maxSide?: number;
}

/** A loaded digit recogniser. Holds tensors: call `dispose()` when done. */
export interface Recognizer {
  /** Recognises one digit. Throws `EmptyImageError` for a blank canvas, `InvalidImageError` for bad input. */
  predict(input: RecognizerInput): Promise<Prediction>;
  /** Recognises several digits in one model call; faster per digit than `predict` in a loop. */
  predictBatch(inputs: readonly RecognizerInput[]): Promise<Prediction[]>;
  /** The TensorFlow.js backend the recogniser runs on, e.g. `'wasm'`. */
  readonly backend: string;
  /** Which weights are loaded: the bundled model's version, the URL it came from, or `'custom'`. */
  readonly modelVersion: string;
  /** Frees the model's tensors. Later calls throw `RecognizerDisposedError`. Safe to call twice. */
  dispose(): void;
}
