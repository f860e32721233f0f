import type * as tf from '@tensorflow/tfjs';
import type { DigitDataset } from '../training/dataset.js';
import type { Evaluation } from '../training/evaluate.js';

/**
 * `'incremental'` fine-tunes the current weights on the corrections with rehearsal (seconds);
 * `'full'` trains a new model from scratch on a full dataset plus the corrections (minutes to
 * hours, for servers).
 */
export type RetrainMode = 'incremental' | 'full';

/** A labelled 28x28 digit to learn from (a stored `Correction` fits). */
export interface LabelledDigit {
  /** 784 values 0–1, MNIST-style (what `preprocess` returns). */
  image: Float32Array;
  /** 0–9. */
  label: number;
}

/** What to retrain from. Plain data (no tensors), so it can be posted to a worker. */
export interface RetrainRequest {
  /** The served model's artifacts: the starting point, and the model the candidate must beat. */
  base: tf.io.ModelArtifacts;
  /** The corrections to learn. */
  corrections: readonly LabelledDigit[];
  /**
   * What the base model makes of the bundled rehearsal digits, when the caller has it already
   * (the recogniser does: its correction memory's rehearsal digits are these outputs). `featureMean`
   * (mean classifier features) centres the label-agreement defence; `probabilities` (10 per
   * digit, in order) are the distillation targets of rehearsed digits that are not distorted.
   * Without it the retrainer makes one pass over those digits per base model. Ignored by a
   * retrainer that rehearses other digits (`rehearsal` option).
   */
  baseOnRehearsal?: { featureMean: ArrayLike<number>; probabilities: Float32Array };
  /**
   * The base model's evaluation on the bundled validation digits, when known in advance (the
   * bundled model carries its own, made when it was bundled). Saves evaluating the base before
   * the gate. Ignored by a retrainer that validates on other digits (`validation` option) or
   * when `count` differs from the validation digits'.
   */
  baseEvaluation?: Evaluation;
  /** Default `'incremental'`. */
  mode?: RetrainMode;
  /** Stops between training steps; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as the run advances. */
  onProgress?: (progress: RetrainProgress) => void;
}

/** Where a retraining run stands. */
export interface RetrainProgress {
  phase: 'preparing' | 'training' | 'validating';
  /** 0–1 over the whole run. */
  fraction: number;
  /** Training steps done and planned (during `'training'`). */
  step: number;
  totalSteps: number;
}

/** What the validation gate saw. Accuracies and recalls are fractions 0–1. */
export interface RetrainMetrics {
  /** Held-out accuracy of the served model and of the candidate. */
  baseAccuracy: number;
  accuracy: number;
  /** Held-out recall per digit 0–9, served model and candidate. */
  baseRecall: number[];
  recall: number[];
  /**
   * Held-out digits the gate evaluated on. With `accuracy` and `recall`, the candidate's
   * evaluation: a recogniser that serves the candidate passes it back as the next run's
   * `baseEvaluation`, so a retrainer in a worker need not evaluate it again.
   */
  heldOutCount?: number;
  /** Fraction of the corrections used for training that the candidate classifies as corrected. */
  correctionsFit: number;
  /** Corrections used for training. */
  correctionsUsed: number;
  /**
   * Corrections left out because close corrections disagree with their label (see the
   * label-agreement defence in the learning guide).
   */
  correctionsDisputed: number;
  /** Training steps run and wall time of the run, in milliseconds. */
  steps: number;
  durationMs: number;
}

/** The outcome of a run: a candidate and the gate's verdict on it. */
export interface RetrainResult {
  /** True when the candidate passed the validation gate and should be served. */
  accepted: boolean;
  /** Why the gate rejected it (absent when accepted). */
  reason?: string;
  /** The candidate's weights (float32). Serve them only when `accepted`. */
  artifacts: tf.io.ModelArtifacts;
  metrics: RetrainMetrics;
  /**
   * The candidate's mean classifier features over the rehearsal digits: the centre corrections
   * are matched around under these weights. Computed where the retrain ran (a worker), so the
   * page serving the candidate does not have to; absent when the gate rejected the candidate.
   */
  featureMean?: number[];
  /**
   * The candidate's outputs on the bundled rehearsal digits (features n × width and
   * probabilities n × 10, in order), when it is accepted and the retrainer rehearses the bundled
   * digits: a recogniser serving the candidate takes them as its correction memory's rehearsal digits
   * rather than making the same pass again.
   */
  rehearsal?: { features: Float32Array; probabilities: Float32Array };
}

/**
 * Folds corrections into a model's weights. `createRetrainer` is the default, in-process one;
 * adapters run the same work in a worker thread or Web Worker behind this interface.
 */
export interface Retrainer {
  retrain(request: RetrainRequest): Promise<RetrainResult>;
  /** Frees what the retrainer holds (workers, cached data). Safe to call twice. */
  dispose(): void;
}

/** The validation gate's limits. Fractions: 0.005 is half a point of accuracy. */
export interface GateOptions {
  /** Largest held-out accuracy loss accepted. Default 0.005. */
  maxAccuracyDrop?: number;
  /** Largest held-out recall loss accepted on any one digit. Default 0.02. */
  maxRecallDrop?: number;
  /** Smallest fraction of the (undisputed) corrections the candidate must get right. Default 0.8. */
  minCorrectionsFit?: number;
}

/** Options for {@link createRetrainer}. */
export interface RetrainerOptions {
  /** Digits rehearsed alongside the corrections. Default: the 1,000 bundled MNIST training digits. */
  rehearsal?: DigitDataset;
  /** Held-out digits the gate compares models on. Default: the 2,000 bundled MNIST test digits. */
  validation?: DigitDataset;
  /** Gate limits. */
  gate?: GateOptions;
  /** Incremental mode: peak learning rate (momentum SGD, cosine decay). Default 0.01. */
  learningRate?: number;
  /** Incremental mode: how many times each correction is seen (augmented). Default 4. */
  passes?: number;
  /**
   * Incremental mode: how much more a rehearsed digit's loss counts than a correction's, in each
   * step of 8 corrections and 24 rehearsed digits. Higher forgets less and fits fewer
   * corrections. Default 12 (see the learning guide's measurements).
   */
  rehearsalWeight?: number;
  /**
   * Incremental mode: teach rehearsed digits the served model's own answers (distillation)
   * instead of their labels. Default true.
   */
  distill?: boolean;
  /**
   * Incremental mode: train only layers from this index on (`model.layers`); the layers before
   * it stay as they are. Default: the network's last stage, from its last strided convolution
   * (all layers for a model without one) — the shipped model's last two convolutions and its
   * classifier. 0 trains every layer.
   */
  trainFrom?: number;
  /** Incremental mode: fewest and most training steps of 32 digits. Default 40 and 150. */
  minSteps?: number;
  maxSteps?: number;
  /** Full mode: the dataset trained on with the corrections (e.g. all of MNIST). Required for `'full'`. */
  fullData?: DigitDataset;
  /** Full mode: epochs. Default 10. */
  fullEpochs?: number;
  /** Seed of shuffles and augmentation. Default 1. */
  seed?: number;
}

export type { Evaluation };
