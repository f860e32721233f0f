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
  /**
   * The training loss of the last step, for a training curve: the mean cross-entropy (natural
   * log, in nats) over that step's batch, before its update. 0 is a perfect fit; about 2.3
   * (ln 10) is a guess among ten digits. Present from the first `'training'` event on (and on the
   * `'validating'` events after it, as the last step's); absent while `'preparing'` and in a run
   * with nothing to train. It is one batch's figure: smooth it (an exponential moving average)
   * to draw a curve.
   *
   * Incremental mode: the loss the step descends, over its 32 digits (8 views of corrections,
   * the rest rehearsed digits). Rehearsed digits weigh 12 times a correction's view and are taught
   * the served model's own answers, which the model starts out matching: the loss starts low
   * (those answers' own uncertainty) plus what the corrections the model still gets wrong add, and
   * may rise a little over a run with few corrections as the model moves away from its old answers
   * to fit them (`correctionLoss` shows that fit). Full mode: plain cross-entropy over the step's
   * 64 digits, falling from about 2.3.
   */
  loss?: number;
  /**
   * Incremental mode: the mean cross-entropy (nats) over the views of corrections in the last
   * step alone (every step shows 8, distorted; each correction is seen at least four times over a
   * run), before its update: how well the model fits the corrections, falling as it learns them.
   * Absent in full mode.
   */
  correctionLoss?: number;
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
  /**
   * How the served model and the candidate read the run's corrections, digit by digit: the
   * per-digit recall of one user's corrections before and after the run (`right[d] / count[d]`).
   * Absent from a retrainer that does not report it.
   */
  correctionsByDigit?: CorrectionsByDigit;
}

/**
 * A run's corrections (all of them, disputed ones included) by their label: for each digit 0–9,
 * how many corrections carry it, and how many of those the served model (`baseRight`) and the
 * candidate (`right`) read as that digit. Counts, so a digit without corrections is 0 of 0.
 */
export interface CorrectionsByDigit {
  count: number[];
  baseRight: number[];
  right: number[];
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
  /**
   * Gets ready for a run without starting one: a worker's retrainer starts its worker and the
   * worker its backend, so that the first run does not wait for them; given the `base` of runs to
   * come, it sends it ahead, and the worker makes what a run from it needs first (the frozen
   * layers' outputs on its digits) while nothing runs. A recogniser calls it at every correction,
   * and with the served model's base once a served model, when the page is idle. It must be cheap
   * when already ready, and report nothing (a failure shows at the next run).
   */
  warm?(base?: BaseModel): void;
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
