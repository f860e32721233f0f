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

declare const opaque: unique symbol;

/**
 * What a retrainer has learnt of a model's weights (its scores on the bundled digits), so that
 * the same weights are never measured twice. Opaque: only a retrainer reads or makes it. Plain
 * data, so it crosses a worker boundary with the model.
 */
export interface ModelKnowledge {
  readonly [opaque]: true;
}

/**
 * A model a retrain starts from, or the candidate one produced: its weights, and what is
 * already known of them. `{ artifacts }` alone is a valid one; pass a result's `candidate` (or a
 * recogniser's served model) as the next `base` and the retrainer skips measuring it again.
 */
export interface BaseModel {
  /** Float32 weights and topology. */
  artifacts: tf.io.ModelArtifacts;
  known?: ModelKnowledge;
}

/** What to retrain from. Plain data (no tensors), so it can be posted to a worker. */
export interface RetrainRequest {
  /** The served model: the starting point, and the model the candidate must beat. */
  base: BaseModel;
  /** The corrections to learn. */
  corrections: readonly LabelledDigit[];
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
  /** Held-out digits the gate evaluated on. */
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
  /** The candidate: serve it only when `accepted`, and pass it as the next run's `base`. */
  candidate: BaseModel;
  metrics: RetrainMetrics;
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

/**
 * Options for {@link createRetrainer}. How a run trains (learning rate, passes, rehearsal weight,
 * distillation, which layers) is fixed by measurement; the learning guide gives the figures.
 */
export interface RetrainerOptions {
  /** Digits rehearsed alongside the corrections. Default: the 1,000 bundled MNIST training digits. */
  rehearsal?: DigitDataset;
  /** Held-out digits the gate compares models on. Default: the 2,000 bundled MNIST test digits. */
  validation?: DigitDataset;
  /** Gate limits. */
  gate?: GateOptions;
  /**
   * Incremental mode: most training steps of 32 digits a run takes, to bound its time on a slow
   * device at the cost of fitting fewer corrections. Default 150; a run plans 40 or more, with
   * each correction seen 4 times, within this limit.
   */
  maxSteps?: number;
  /** Full mode: the dataset trained on with the corrections (e.g. all of MNIST). Required for `'full'`. */
  fullData?: DigitDataset;
  /** Full mode: epochs. Default 10. */
  fullEpochs?: number;
}

export type { Evaluation };
