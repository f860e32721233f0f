import type * as tf from '@tensorflow/tfjs';
import { centredUnit } from '../model/features.js';
import { type AgreementOptions, DEFAULT_AGREEMENT } from '../retrain/agreement.js';
import { argmax } from './forward.js';
import { createBackendCopy } from './memory/backend-copy.js';
import {
  appendRow,
  clearRows,
  closestByLabel,
  compareRehearsal,
  compareRows,
  createCorrectionRows,
  type DigitWindow,
  digitWindow,
  dropAlike,
  noDigits,
  pushDigit,
  rehearsalDigitsOf,
  removeRow,
  rowFeature,
} from './memory/feature-rows.js';
import { isRowDisputed, tallyNeighbours } from './memory/label-votes.js';
import { followOwnDigits } from './memory/own-digits.js';
import {
  adjustedProbabilities,
  type CorrectionStanding,
  isFresh,
  READ_CONFIDENTLY,
  SAME_DRAWING,
  STANDINGS,
} from './memory/reach.js';
import { boundedBy, boundReach, rebound } from './memory/reach-bounds.js';

export { type CorrectionStanding, standingOf } from './memory/reach.js';

/** How strongly corrections override the model, see {@link createCorrectionMemory}. */
export interface CorrectionMemoryOptions {
  /** Cosine similarity of (centred) features at which a remembered correction starts to count. */
  threshold: number;
  /**
   * The model's mean feature vector over typical digits. Features are compared after
   * subtracting it: raw post-ReLU features all point the same way, so every pair of digits would
   * look alike.
   */
  featureMean?: ArrayLike<number>;
  /**
   * The label-agreement defence: a correction whose close neighbours among the other corrections
   * mostly carry one other label is disputed and has no effect (see `disputedCorrections`).
   * Default {@link DEFAULT_AGREEMENT}.
   */
  agreement?: AgreementOptions;
}

/** Nearest-neighbour memory of corrections over the model's penultimate features. */
export interface CorrectionMemory {
  readonly size: number;
  /**
   * Remembers a correction, by default as `'new'` (see {@link CorrectionStanding}). `known`, its
   * row of {@link similarities}, spares comparing it with every other correction here.
   */
  add(
    id: string,
    feature: Float32Array,
    label: number,
    standing?: CorrectionStanding,
    known?: SimilarityRow,
  ): void;
  has(id: string): boolean;
  remove(id: string): boolean;
  clear(): void;
  /**
   * Cosine similarities of raw features `[n, width]` (a batch the network just made) to every
   * rehearsal digit and remembered correction, computed on the TensorFlow.js backend in one matrix
   * product: hand each row to {@link adjust}. `undefined` when nothing is remembered.
   */
  similarities(features: tf.Tensor2D): Similarities | undefined;
  /**
   * Blends `probabilities` with the labels of remembered corrections whose features are close to
   * `feature`, then lets the user's own digits speak (own-digits.ts): returns new probabilities
   * (same array length, summing to 1), or `probabilities` itself while nothing is remembered.
   * `known`, a row of {@link similarities} made since the last change, spares computing them again.
   */
  adjust(feature: Float32Array, probabilities: number[], known?: SimilarityRow): number[];
  /**
   * Notes a single digit the recogniser just read for its user, with the probabilities it
   * answered: a reading that is not corrected later stands for how this user writes that digit.
   * Once the user has corrected the recogniser, a drawing far closer to one of their readings of
   * another digit than to any of the digit read reads as that digit; and a confident reading
   * bounds corrections to another digit as a rehearsal digit does (see {@link RECENT_READINGS}).
   */
  noteReading(feature: Float32Array, probabilities: number[]): void;
  /**
   * Known-good examples (MNIST digits, raw features and labels) a correction must out-match: a
   * correction counts for a drawing only where it is closer to it than every example of another
   * digit, so a correction of an unusual glyph does not capture ordinary digits that resemble it.
   */
  setRehearsal(features: readonly Float32Array[], labels: ArrayLike<number>): void;
  readonly hasRehearsal: boolean;
  /** Ids of corrections currently outvoted by their neighbours (without effect). */
  disputed(): string[];
  /** Frees the backend copy of the features; what is remembered stays readable for `adjust`. */
  dispose(): void;
}

/** A batch's similarities to the rehearsal digits and corrections, as {@link CorrectionMemory.similarities} made them. */
export interface Similarities {
  /** `[n, rehearsal digits + corrections]`; the caller downloads and disposes it. */
  values: tf.Tensor2D;
  /** Which memory, and which state of it, they belong to. */
  source: object;
  generation: number;
}

/** One drawing's row of {@link Similarities}. */
export interface SimilarityRow {
  values: Float32Array;
  source: object;
  generation: number;
}

/**
 * How many of the latest readings a memory keeps: the user's own digits. Each decides drawings all
 * but identical to it (own-digits.ts); the confident ones are also rivals of the corrections,
 * beside the rehearsal digits. A correction of one of a writer's digits otherwise also captures the same
 * writer's drawings of another digit when that writer draws the two alike: the rehearsal digits
 * (MNIST) are other people's, further from both. On the tuning writers' replayed streams it cut
 * the errors corrections introduce from 7 to 5 in 25,400 predictions (5 to 3 in the benchmark's
 * own tuning streams), fixing as many (docs/benchmarks.md, "Learning from corrections: own
 * readings as rivals"). A correction of a drawing the network was unsure of stops at them; one
 * that overrides a sure reading reaches a little past them, as past a rehearsal digit (reach.ts).
 * 200 holds a whole stream of the benchmark. They are compared with a drawing only once the
 * memory holds a correction.
 */
const RECENT_READINGS = 200;

/**
 * Corrections take effect at once, before any retraining: a corrected drawing's features are
 * remembered, and a later drawing whose features are close enough is pulled towards the
 * corrected label — fully for the same drawing or a near copy, less for looser matches, not at
 * all under the threshold (so other digits are untouched). Retraining later folds the
 * corrections into the weights themselves.
 */
export function createCorrectionMemory(options: CorrectionMemoryOptions): CorrectionMemory {
  const { threshold, featureMean } = options;
  const agreement = options.agreement ?? DEFAULT_AGREEMENT;
  const rows = createCorrectionRows();
  let rehearsal = rehearsalDigitsOf([], []);
  /** The latest readings, oldest first (see {@link RECENT_READINGS}); made by the first. */
  let readings: DigitWindow | undefined;
  const backend = createBackendCopy(featureMean);
  /** Bumped by every change of what a similarity row's columns mean. */
  let generation = 0;
  /** The last generation that moved rows (a removal, clearing, new rehearsal digits): rows made before it are stale. */
  let reordered = 0;
  /** Marks the similarity rows this memory made. */
  const self = {};
  let disposed = false;
  const changed = (moved: boolean) => {
    generation++;
    if (moved) reordered = generation;
  };
  const isDisputed = (row: number) => isRowDisputed(rows, row, agreement);

  /**
   * Similarities of a drawing to every remembered correction, into `rows.similarities`, and to
   * the rehearsal digits (returned): taken from `known` as far as it is still valid (nothing
   * removed or re-rehearsed since it was made; corrections added since are appended rows), the
   * rest computed here.
   */
  const scan = (
    query: () => Float32Array,
    known: SimilarityRow | undefined,
    toRehearsal = true,
  ): Float32Array => {
    if (known !== undefined && known.source === self && known.generation >= reordered) {
      const knownRows = Math.min(rows.count, known.values.length - rehearsal.count);
      rows.similarities.set(known.values.subarray(rehearsal.count, rehearsal.count + knownRows));
      if (knownRows < rows.count) compareRows(rows, query(), knownRows);
      return known.values.subarray(0, rehearsal.count);
    }
    const unit = query();
    compareRows(rows, unit);
    if (toRehearsal) compareRehearsal(rehearsal, unit);
    return rehearsal.similarities;
  };

  const remove = (id: string) => {
    const row = rows.rowOf.get(id);
    if (row === undefined) return false;
    scan(() => rowFeature(rows, row), undefined, false);
    tallyNeighbours(rows, row, -1, agreement);
    const bounded = boundedBy(rows, row);
    removeRow(rows, row);
    for (const other of bounded) rebound(rows, rows.rowOf.get(other) as number);
    changed(true);
    return true;
  };

  return {
    get size() {
      return rows.count;
    },
    add(id, feature, label, standing = 'new', known) {
      remove(id);
      const unit = centredUnit(feature, featureMean);
      // The drawing was misread: it no longer stands for the digit it was read as.
      if (readings) dropAlike(readings, unit, SAME_DRAWING);
      const row = appendRow(rows, { id, unit, label, standing: STANDINGS.indexOf(standing) });
      scan(() => rowFeature(rows, row), known, false);
      tallyNeighbours(rows, row, 1, agreement);
      boundReach(rows, row);
      changed(false);
    },
    has(id) {
      return rows.rowOf.has(id);
    },
    remove,
    clear() {
      clearRows(rows);
      changed(true);
    },
    dispose() {
      // What is remembered stays readable (a prediction in flight may still adjust with it); only
      // the backend copy goes, and is not made again.
      disposed = true;
      backend.dispose();
    },
    setRehearsal(digits, labels) {
      rehearsal = rehearsalDigitsOf(
        digits.map((digit) => centredUnit(digit, featureMean)),
        labels,
      );
      changed(true);
    },
    get hasRehearsal() {
      return rehearsal.count > 0;
    },
    disputed() {
      return rows.ids.filter((_, row) => isDisputed(row));
    },
    similarities(batch) {
      if (rows.count === 0 || disposed) return undefined;
      const values = backend.similarities(batch, { rows, rehearsal, generation });
      return { values, source: self, generation };
    },
    adjust(feature, probabilities, known) {
      if (rows.count === 0) return probabilities;
      let unit: Float32Array | undefined;
      const query = () => {
        unit ??= centredUnit(feature, featureMean);
        return unit;
      };
      const toRehearsal = scan(query, known);
      const own = readings;
      if (!own)
        return adjustedProbabilities(probabilities, rows, rehearsal, toRehearsal, { threshold, isDisputed });
      compareRehearsal(own, query());
      const blended = adjustedProbabilities(probabilities, rows, rehearsal, toRehearsal, {
        threshold,
        isDisputed,
        readings: own,
      });
      const speaking = closestByLabel(noDigits(), own.labels, own.similarities, own.count);
      closestByLabel(
        speaking,
        rows.labels,
        rows.similarities,
        rows.count,
        (row) => isFresh(rows.standings[row] as number) && !isDisputed(row),
      );
      // Every correction holds its label, a disputed one too: it still decides its own drawing.
      const holding = closestByLabel([...speaking], rows.labels, rows.similarities, rows.count);
      return followOwnDigits(blended, probabilities, speaking, holding);
    },
    noteReading(feature, probabilities) {
      const digit = argmax(probabilities);
      const unit = centredUnit(feature, featureMean);
      if (readings?.width !== unit.length) readings = digitWindow(RECENT_READINGS, unit.length);
      pushDigit(readings, unit, digit, (probabilities[digit] ?? 0) >= READ_CONFIDENTLY);
    },
  };
}
