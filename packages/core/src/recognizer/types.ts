import type * as tf from '@tensorflow/tfjs';
import type { BackendPreference, WasmPaths } from '../backend/index.js';
import type { CorrectionStore } from '../corrections/index.js';
import type { ModelStore, ModelVersion } from '../model-store/index.js';
import type { NumberReading, ReadNumberOptions } from '../numbers/types.js';
import type { ImageInput, PreprocessedImage } from '../preprocess/index.js';
import type { Retrainer, RetrainMetrics, RetrainMode, RetrainProgress } from '../retrain/index.js';
import type { DomImageSource } from './dom-source.js';

/**
 * What `predict`, `predictBatch`, `correct`, `readNumber` and `correctNumber` read:
 *
 * - anything `preprocess` reads: RGBA pixels (`ImageData`, `{ data, width, height }`), grayscale
 *   pixels (`{ data, width, height, channels: 1 }`) or an MNIST-style `Float32Array(784)`;
 * - an MNIST-style tensor of shape `[28, 28]`, `[28, 28, 1]`, `[1, 28, 28, 1]` or `[784]` with
 *   values 0–1 (white ink on black), read and not disposed;
 * - in a browser or worker, a canvas, `OffscreenCanvas`, `ImageBitmap`, `<img>` or a
 *   `Blob`/`File` holding an image ({@link DomImageSource}).
 *
 * Everything but a `Blob` is read when the method is called, so the drawing may change (or the
 * tensor be disposed) while the promise is pending. Encoded bytes (a `Buffer` or `Uint8Array` of
 * a PNG or JPEG) are not read by core: `decodeImage` from `@crazy-digits/node-adapter` turns them
 * into pixels (`predict(await decodeImage(buffer))`); core says so with an `InvalidImageError`.
 */
export type RecognizerInput = ImageInput | tf.Tensor | DomImageSource;

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
  /**
   * Where the wasm backend finds its `.wasm` files (`useBackend`'s option): only for bundlers
   * that do not handle `new URL('./file', import.meta.url)`, or to load them from a CDN.
   */
  wasmPaths?: WasmPaths;
  /** Confidence under which a prediction is flagged `uncertain`. Default 0.8. */
  uncertainBelow?: number;
  /** Largest accepted image side in pixels. Default 4096. */
  maxSide?: number;
  /**
   * Where corrections are kept. Default: a new in-memory store (lost on reload); use the node or
   * browser adapter's store to keep them. Corrections already in the store take effect at load.
   */
  store?: CorrectionStore;
  /** Scope to one user: only their corrections are loaded and new ones are stored as theirs. */
  userId?: string;
  /**
   * How close (cosine similarity of the model's centred features) a drawing must be to a
   * corrected one for the correction to start to apply before retraining; it applies fully 0.03
   * further on (and only where it out-matches the bundled examples of other digits). Higher is
   * stricter. Default 0.7, chosen on real writers' predict-then-correct streams
   * (docs/learning-from-corrections.md).
   */
  correctionThreshold?: number;
  /**
   * For a custom `model`: the mean of its classifier-input features over typical digits, so
   * corrections are matched on centred features (the bundled model carries its own). Without
   * it, the recogniser computes it from the 1,000 bundled rehearsal digits when it loads.
   */
  featureMean?: ArrayLike<number>;
  /**
   * Where model versions are kept. Its current version is served at load (unless `model` is
   * given); retrains save new versions to it and `rollback` switches between them. Default: a new
   * in-memory store (versions last as long as the recogniser).
   */
  modelStore?: ModelStore;
  /** What folds corrections into the weights. Default: `createRetrainer()`, on this thread. */
  retrainer?: Retrainer;
  /** When to retrain without being asked. Default `'manual'`. */
  retrain?: RetrainPolicy;
}

/**
 * When corrections are folded into the weights. `'manual'`: only when `retrain()` is called.
 * An object: after every `afterCorrections` new corrections, once no correction has arrived for
 * `debounceMs` (default 2000), in the background.
 */
export type RetrainPolicy = 'manual' | { afterCorrections: number; debounceMs?: number };

/** Options for `recognizer.retrain()`. */
export interface RetrainCallOptions {
  /** Default `'incremental'`; `'full'` needs a retrainer created with `fullData`. */
  mode?: RetrainMode;
  /** Cancels the run; the served model stays and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Progress of this run (also emitted as `'retrain-progress'` events). */
  onProgress?: (progress: RetrainProgress) => void;
}

/** What a retrain did. */
export interface RetrainOutcome {
  /** True when the candidate passed the validation gate and is now served. */
  accepted: boolean;
  /** Why the gate rejected the candidate. */
  reason?: string;
  /** The version served after the run (the new one when accepted, else the unchanged one). */
  version: string;
  /** Corrections the run saw. */
  corrections: number;
  metrics: RetrainMetrics;
}

/** Events a recogniser emits; subscribe with `recognizer.on(type, listener)`. */
export interface RecognizerEvents {
  /** A correction was stored and took effect. */
  correction: { id: string; label: number };
  /** A correction was removed. */
  'correction-removed': { id: string };
  /** A retrain began. */
  'retrain-start': { mode: RetrainMode; corrections: number };
  'retrain-progress': RetrainProgress;
  /** A candidate passed the gate and is now served. */
  'retrain-finished': RetrainOutcome;
  /** A candidate failed the gate; the served model stays. */
  'retrain-rejected': RetrainOutcome;
  /** A retrain failed or was cancelled; the served model stays. */
  'retrain-failed': { error: unknown };
  /** Different weights are now served. */
  'model-change': { version: string; cause: 'retrain' | 'rollback' | 'reset' | 'refresh' };
}

/** What `recognizer.refresh()` re-reads; without either list, the whole correction store. */
export interface RefreshOptions {
  /** Ids of corrections another process added to the store: only these are read. */
  added?: readonly string[];
  /** Ids of corrections another process removed. */
  removed?: readonly string[];
}

/** Details stored with a correction. */
export interface CorrectionDetails {
  /** The session it came from. */
  sessionId?: string;
}

/** A loaded digit recogniser. Holds tensors: call `dispose()` when done. */
export interface Recognizer {
  /**
   * Recognises one digit: pixels, a canvas, an image, a `Blob`… (see {@link RecognizerInput}).
   * Throws `EmptyImageError` for a blank canvas, `InvalidImageError` for bad input.
   *
   * The recogniser keeps its last 200 readings as the user's own digits: a reading left
   * uncorrected stands for how they write it. Once it has been corrected, a drawing that is a
   * near copy of one of those digits reads as that digit; a recogniser never corrected reads as
   * its weights do (docs/learning-from-corrections.md).
   */
  predict(input: RecognizerInput): Promise<Prediction>;
  /** Recognises several digits in one model call; faster per digit than `predict` in a loop. */
  predictBatch(inputs: readonly RecognizerInput[]): Promise<Prediction[]>;
  /**
   * Records that `input` is the digit `label`: stores it (resolves once the store has it
   * durably) and makes it count at once — `predict(input)` returns `label` from the next call,
   * and close variants of the drawing lean towards it. Returns the stored correction's id.
   */
  correct(input: RecognizerInput, label: number, details?: CorrectionDetails): Promise<{ id: string }>;
  /**
   * Reads a handwritten number (several digits side by side on one canvas, e.g. 840x280): the
   * digits left to right, each with its prediction and box, and the probability that the whole
   * reading is right. Separate, touching and slightly overlapping digits are split; multi-stroke
   * digits are kept whole; specks are ignored. Throws `EmptyImageError` for a blank canvas.
   */
  readNumber(input: RecognizerInput, options?: ReadNumberOptions): Promise<NumberReading>;
  /**
   * Records that the number drawn in `input` is `text` (digits only): the drawing is split into
   * `text.length` digits and each one read wrong becomes an ordinary correction (stored, in effect
   * at once, consolidated like any other). Resolves the ids of the corrections made (none when
   * every digit was read right). Throws `NumberLengthMismatchError`, carrying the boxes found,
   * when the drawing cannot be split into that many digits.
   */
  correctNumber(
    input: RecognizerInput,
    text: string,
    details?: CorrectionDetails,
  ): Promise<{ ids: string[] }>;
  /** Removes a correction from the store and from effect. Resolves `true` if it existed. */
  removeCorrection(id: string): Promise<boolean>;
  /** The store corrections are kept in (list, export, back up). */
  readonly store: CorrectionStore;
  /**
   * Catches up with what another process wrote to the stores this recogniser shares with it:
   * corrections it added (in this recogniser's scope) take effect here and removed ones stop,
   * and when the model store's current version is not the one served, that version is loaded
   * and served (a `'model-change'` with cause `'refresh'`). With `added` or `removed`, only those
   * corrections are read (what a change feed reports); without, the whole store is compared.
   */
  refresh(options?: RefreshOptions): Promise<void>;
  /**
   * Folds the corrections into the weights: trains a candidate (without touching the served
   * model, which keeps answering), puts it through the validation gate, and when it passes saves
   * it to the model store and swaps it in atomically. Runs one at a time: a call during a run
   * starts after it, with every correction made by then. An incremental run rejects with
   * `NoCorrectionsError` when there is no correction the served weights were not trained on.
   */
  retrain(options?: RetrainCallOptions): Promise<RetrainOutcome>;
  /** True while a retrain runs. */
  readonly retraining: boolean;
  /**
   * Serves a kept version again: `version`, or the one saved before the current one. Resolves
   * to the version now served, or `undefined` (and nothing changes) when there is no earlier one.
   */
  rollback(version?: string): Promise<string | undefined>;
  /** Serves the model the recogniser was created with (the bundled one by default) as a new version. */
  resetModel(): Promise<string>;
  /** Kept model versions, oldest first. */
  versions(): Promise<ModelVersion[]>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof RecognizerEvents>(type: K, listener: (event: RecognizerEvents[K]) => void): () => void;
  /** The store model versions are kept in. */
  readonly modelStore: ModelStore;
  /**
   * The TensorFlow.js backend the recogniser runs on, e.g. `'wasm'`; `'cpu'` when `'auto'` found
   * nothing faster (a `console.warn` says why).
   */
  readonly backend: string;
  /**
   * Which weights are served: the bundled model's version, the URL it came from, `'custom'`, or
   * the model store's version after a retrain, rollback or reset.
   */
  readonly modelVersion: string;
  /**
   * Frees the model's tensors and cancels a running retrain. Later calls throw
   * `RecognizerDisposedError`. Safe to call twice. The stores stay open: close them yourself.
   */
  dispose(): void;
}
