import * as tf from '@tensorflow/tfjs';
import { centredUnit } from '../model/features.js';
import { type AgreementOptions, DEFAULT_AGREEMENT, isDisputed } from '../retrain/agreement.js';

/**
 * Where a remembered correction stands with the served weights, which sets how far it reaches:
 * - `'new'`: no retrain of these weights has trained on it. It reaches drawings a little way
 *   ({@link REHEARSAL_MARGIN}) inside the closest known-good digit of another label, so small
 *   variants of the drawing follow it at once.
 * - `'unfitted'`: the retrain that made these weights trained on it, and they still misread it.
 *   It reaches only drawings closer to it than to every known-good digit of another label: the
 *   retrain had its chance to widen it safely, and a glyph it could not fit is one that sits among
 *   ordinary digits, where a wider reach costs their accuracy.
 * - `'fitted'`: the weights get it right. It pulls nothing and still votes in label agreement,
 *   so the honest corrections a retrain has folded into the weights keep outvoting lies made
 *   near them.
 */
export type CorrectionStanding = 'new' | 'unfitted' | 'fitted';

/** How strongly corrections override the model, see {@link createCorrectionMemory}. */
export interface CorrectionMemoryOptions {
  /** Cosine similarity of (centred) features at which a remembered correction starts to count. */
  threshold: number;
  /**
   * The model's mean feature vector over typical digits. Features are compared after
   * subtracting it: raw post-ReLU features all point the same way, so every pair of digits would
   * look alike.
   */
  centre?: ArrayLike<number>;
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
   * `feature`: returns new probabilities (same array length, summing to 1). `known`, a row of
   * {@link similarities} made since the last change, spares computing them again.
   */
  adjust(feature: Float32Array, probabilities: number[], known?: SimilarityRow): number[];
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

/** How fast a correction's share falls with distance among corrections that all apply. */
const SHARPNESS = 0.02;

/**
 * How far inside the closest other-digit example a `'new'` correction still reaches. A trade,
 * measured on the previous weights, `compact-s1-e8-wd5e-4` (learning guide): at 0.07, 92.0% of small
 * variants of MNIST digits corrected to their runner-up class follow the correction, and 500
 * corrections of hard writers' glyphs held at once (none consolidated yet) cost 2.2 points of
 * MNIST accuracy; at 0.06 it is 89.8% and 1.7 points; at 0.08, 93.5% and 3.0 points. The smallest
 * margin that keeps nine in ten variants. (Measured with the previous threshold, 0.85, and ramp;
 * not yet re-measured with 0.7 and 0.03.)
 */
const REHEARSAL_MARGIN = 0.07;

/**
 * The margin of an `'unfitted'` correction: negative, so it reaches only drawings clearly closer
 * to it than to any known-good example of another digit. Measured after consolidating the same
 * 500 corrections, MNIST through `predict` on the 8,000 test digits the gate never sees. On the
 * shipped weights (rehearsal weight 12: the weights alone 99.61% → 99.42%, 56 corrections left
 * unfitted): margin 0, 99.17%; −0.02, 99.34%; −0.05, 99.40%. (Weight 6, 26 unfitted: 0, 99.15%;
 * −0.02, 99.29%; −0.05, 99.30%, the weights' own.) On the previous weights (31 unfitted; weights
 * alone 99.49%): 0.07, 98.83%; 0.03, 99.35%; 0, 99.44%.
 */
const UNFITTED_MARGIN = -0.05;

/**
 * How much closer than where it starts to count (past the threshold and its rival rehearsal digits) a
 * correction must be to decide alone; it pulls in proportion before that.
 */
const RAMP = 0.03;

/**
 * Similarity at which a drawing is the corrected one itself (the same input gives the same
 * features). Not lower: ordinary 1s are often 0.98 alike, so "close enough" would let a disputed
 * lie about one 1 reach many.
 */
const SAME_DRAWING = 0.9999;

const STANDINGS: readonly CorrectionStanding[] = ['new', 'unfitted', 'fitted'];
const UNFITTED = STANDINGS.indexOf('unfitted');
const FITTED = STANDINGS.indexOf('fitted');
const LABELS = 10;

/** Similarities of `query` to rows `from` to `count` of `rows` (unit vectors of `width`), into `out`. */
function similarities(
  rows: Float32Array,
  count: number,
  width: number,
  query: Float32Array,
  out: Float32Array,
  from = 0,
) {
  // Four partial sums: independent additions the engine can overlap.
  for (let row = from, at = from * width; row < count; row++, at += width) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 3 < width; k += 4) {
      s0 += (rows[at + k] as number) * (query[k] as number);
      s1 += (rows[at + k + 1] as number) * (query[k + 1] as number);
      s2 += (rows[at + k + 2] as number) * (query[k + 2] as number);
      s3 += (rows[at + k + 3] as number) * (query[k + 3] as number);
    }
    for (; k < width; k++) s0 += (rows[at + k] as number) * (query[k] as number);
    out[row] = s0 + s1 + s2 + s3;
  }
}

/**
 * Corrections take effect at once, before any retraining: a corrected drawing's features are
 * remembered, and a later drawing whose features are close enough is pulled towards the
 * corrected label — fully for the same drawing or a near copy, less for looser matches, not at
 * all under the threshold (so other digits are untouched). Retraining later folds the
 * corrections into the weights themselves.
 *
 * The features sit in one flat array, so a prediction is one pass of dot products over all of
 * them (corrections the weights already fit are skipped), and each correction keeps only a count
 * of its neighbours' labels for the label-agreement defence: memory grows with the corrections,
 * not with how alike they are.
 */
export function createCorrectionMemory(options: CorrectionMemoryOptions): CorrectionMemory {
  const { threshold, centre } = options;
  const agreement = options.agreement ?? DEFAULT_AGREEMENT;
  let width = 0;
  let count = 0;
  let features = new Float32Array(0);
  let labels = new Uint8Array(0);
  let standings = new Uint8Array(0);
  /** Per correction, how many neighbours (similarity ≥ agreement.similarity) carry each label. */
  let votes = new Uint32Array(0);
  let ids: string[] = [];
  const rowOf = new Map<string, number>();
  let scratch = new Float32Array(0);

  let rehearsalCount = 0;
  let rehearsalFeatures = new Float32Array(0);
  let rehearsalLabels = new Uint8Array(0);
  let rehearsalScratch = new Float32Array(0);

  /** Bumped by every change of what a similarity row's columns mean. */
  let generation = 0;
  /** The last generation that moved rows (a removal, clearing, new rehearsal digits): rows made before it are stale. */
  let reordered = 0;
  /** Marks the similarity rows this memory made. */
  const self = {};
  /** The backend copy: `[width, rehearsal digits + corrections]`, unit columns, made when first needed after a change. */
  let matrix: { values: tf.Tensor2D; generation: number } | undefined;
  let centreTensor: tf.Tensor1D | undefined;
  let disposed = false;
  const changed = (moved: boolean) => {
    generation++;
    if (moved) reordered = generation;
  };
  const backendMatrix = () => {
    if (matrix?.generation === generation) return matrix.values;
    matrix?.values.dispose();
    const rows = new Float32Array((rehearsalCount + count) * width);
    rows.set(rehearsalFeatures.subarray(0, rehearsalCount * width));
    rows.set(features.subarray(0, count * width), rehearsalCount * width);
    const values = tf.keep(
      tf.tidy(() => tf.tensor2d(rows, [rehearsalCount + count, width]).transpose<tf.Tensor2D>()),
    );
    matrix = { values, generation };
    return values;
  };

  /** Forgets every row: all columns start again from nothing, so that they grow together. */
  const reset = (newWidth: number) => {
    width = newWidth;
    count = 0;
    ids = [];
    rowOf.clear();
    features = new Float32Array(0);
    labels = new Uint8Array(0);
    standings = new Uint8Array(0);
    votes = new Uint32Array(0);
    scratch = new Float32Array(0);
  };

  const ensureCapacity = (rows: number) => {
    if (rows * width <= features.length) return;
    const capacity = Math.max(rows, 2 * (features.length / Math.max(1, width)), 16);
    const grow = <T extends Float32Array | Uint8Array | Uint32Array>(from: T, to: T) => {
      to.set(from);
      return to;
    };
    features = grow(features, new Float32Array(capacity * width));
    labels = grow(labels, new Uint8Array(capacity));
    standings = grow(standings, new Uint8Array(capacity));
    votes = grow(votes, new Uint32Array(capacity * LABELS));
    scratch = new Float32Array(capacity);
  };

  /**
   * Similarities of a drawing to every remembered correction, in `scratch`, and to the rehearsal digits
   * (returned): taken from `known` as far as it is still valid (nothing removed or re-rehearsed
   * since it was made; corrections added since are appended rows), the rest computed here.
   */
  const scan = (
    query: () => Float32Array,
    known: SimilarityRow | undefined,
    toRehearsal = true,
  ): Float32Array => {
    if (known !== undefined && known.source === self && known.generation >= reordered) {
      const knownRows = Math.min(count, known.values.length - rehearsalCount);
      scratch.set(known.values.subarray(rehearsalCount, rehearsalCount + knownRows));
      if (knownRows < count) similarities(features, count, width, query(), scratch, knownRows);
      return known.values.subarray(0, rehearsalCount);
    }
    const unit = query();
    similarities(features, count, width, unit, scratch);
    if (toRehearsal) similarities(rehearsalFeatures, rehearsalCount, width, unit, rehearsalScratch);
    return rehearsalScratch;
  };

  /**
   * Counts (`step` 1) or uncounts (`step` -1) `row` among its neighbours' votes and theirs among
   * its; `known` as for `scan`.
   */
  const tally = (row: number, step: 1 | -1, known?: SimilarityRow) => {
    // Label agreement is among corrections only: the rehearsal digits are not compared.
    scan(() => features.subarray(row * width, (row + 1) * width), known, false);
    const label = labels[row] as number;
    for (let other = 0; other < count; other++) {
      if (other === row || (scratch[other] as number) < agreement.similarity) continue;
      votes[other * LABELS + label] = (votes[other * LABELS + label] as number) + step;
      const theirs = row * LABELS + (labels[other] as number);
      votes[theirs] = (votes[theirs] as number) + step;
    }
  };

  const isRowDisputed = (row: number) =>
    isDisputed(votes.subarray(row * LABELS, (row + 1) * LABELS), labels[row] as number, agreement);

  const remove = (id: string) => {
    const row = rowOf.get(id);
    if (row === undefined) return false;
    tally(row, -1);
    // The last row moves into the gap.
    const last = count - 1;
    if (row !== last) {
      features.copyWithin(row * width, last * width, (last + 1) * width);
      votes.copyWithin(row * LABELS, last * LABELS, (last + 1) * LABELS);
      labels[row] = labels[last] as number;
      standings[row] = standings[last] as number;
      const moved = ids[last] as string;
      ids[row] = moved;
      rowOf.set(moved, row);
    }
    votes.fill(0, last * LABELS, (last + 1) * LABELS);
    ids.pop();
    rowOf.delete(id);
    count--;
    changed(true);
    return true;
  };

  return {
    get size() {
      return count;
    },
    add(id, feature, label, standing = 'new', known) {
      remove(id);
      if (count === 0 && width !== feature.length) reset(feature.length);
      ensureCapacity(count + 1);
      const row = count++;
      features.set(centredUnit(feature, centre), row * width);
      labels[row] = label;
      standings[row] = STANDINGS.indexOf(standing);
      ids[row] = id;
      rowOf.set(id, row);
      tally(row, 1, known);
      changed(false);
    },
    has(id) {
      return rowOf.has(id);
    },
    remove,
    clear() {
      reset(width);
      changed(true);
    },
    dispose() {
      // What is remembered stays readable (a prediction in flight may still adjust with it); only
      // the backend copy goes, and is not made again.
      disposed = true;
      matrix?.values.dispose();
      matrix = undefined;
      centreTensor?.dispose();
      centreTensor = undefined;
    },
    setRehearsal(digits, labelsOf) {
      rehearsalCount = digits.length;
      const rehearsalWidth = digits[0]?.length ?? 0;
      rehearsalFeatures = new Float32Array(rehearsalCount * rehearsalWidth);
      digits.forEach((digit, i) => {
        rehearsalFeatures.set(centredUnit(digit, centre), i * rehearsalWidth);
      });
      rehearsalLabels = Uint8Array.from({ length: rehearsalCount }, (_, i) => labelsOf[i] ?? 0);
      rehearsalScratch = new Float32Array(rehearsalCount);
      if (count === 0) width = rehearsalWidth;
      changed(true);
    },
    get hasRehearsal() {
      return rehearsalCount > 0;
    },
    disputed() {
      return ids.filter((_, row) => isRowDisputed(row));
    },
    similarities(batch) {
      if (count === 0 || disposed) return undefined;
      const columns = backendMatrix();
      if (centre && !centreTensor) centreTensor = tf.keep(tf.tensor1d(Float32Array.from(centre)));
      const centreValues = centreTensor;
      const values = tf.tidy(() => {
        const centred = centreValues ? batch.sub(centreValues) : batch;
        // Unit rows; an all-zero row stays zero, as `centredUnit` leaves it.
        const norms = centred.square().sum(1, true).sqrt().maximum(1e-30);
        return centred.div(norms).matMul(columns) as tf.Tensor2D;
      });
      return { values, source: self, generation };
    },
    adjust(feature, probabilities, known) {
      if (count === 0) return probabilities;
      const toRehearsal = scan(() => centredUnit(feature, centre), known);
      // The closest known-good example of each digit: a correction to `label` starts to count
      // only beyond (or, by its margin, a little inside) the closest example of any other digit.
      const rehearsalBest = new Array<number>(LABELS).fill(-1);
      for (let i = 0; i < rehearsalCount; i++) {
        const label = rehearsalLabels[i] as number;
        rehearsalBest[label] = Math.max(rehearsalBest[label] as number, toRehearsal[i] as number);
      }
      const rival = rehearsalBest.map((_, label) =>
        Math.max(...rehearsalBest.filter((__, other) => other !== label)),
      );
      // Each label's pull is its strongest correction's; its closest correction sets its share.
      const pull = new Array<number>(probabilities.length).fill(0);
      const closest = new Array<number>(probabilities.length).fill(-1);
      for (let row = 0; row < count; row++) {
        const similarity = scratch[row] as number;
        if (similarity < threshold || standings[row] === FITTED) continue;
        // A disputed correction still decides for its own drawing: whoever corrected it sees it
        // stick; it only stops reaching other drawings.
        if (similarity < SAME_DRAWING && isRowDisputed(row)) continue;
        const label = labels[row] as number;
        const margin = standings[row] === UNFITTED ? UNFITTED_MARGIN : REHEARSAL_MARGIN;
        const start = Math.max(threshold, (rival[label] as number) - margin);
        // Capped so that the corrected drawing itself always decides alone; and where the start
        // lies past that cap (a drawing all but identical to an example of another digit), only
        // the corrected drawing itself is reached.
        const full = Math.min(start + RAMP, SAME_DRAWING);
        const strength =
          similarity >= SAME_DRAWING
            ? 1
            : full <= start
              ? 0
              : Math.max(0, Math.min(1, (similarity - start) / (full - start)));
        pull[label] = Math.max(pull[label] as number, strength);
        closest[label] = Math.max(closest[label] as number, similarity);
      }
      const strongest = Math.max(...pull);
      if (strongest <= 0) return probabilities;
      // The model keeps (1 - strongest) of the mass. The rest is shared by the pulling labels,
      // sharply favouring the closest match, so re-drawing a corrected digit gets its own label
      // even when a similar drawing was corrected to another one.
      const shares = pull.map((p, label) => p * Math.exp(((closest[label] as number) - 1) / SHARPNESS));
      const total = shares.reduce((a, b) => a + b, 0);
      return probabilities.map(
        (p, digit) => (1 - strongest) * p + (strongest * (shares[digit] as number)) / total,
      );
    },
  };
}
