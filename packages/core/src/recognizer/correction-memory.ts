import { centredUnit } from '../model/features.js';
import { type AgreementOptions, DEFAULT_AGREEMENT } from '../retrain/agreement.js';

/** One remembered correction: the model's feature vector of the image (unit length) and its label. */
interface Entry {
  id: string;
  feature: Float32Array;
  label: number;
  standing: CorrectionStanding;
  /** Other corrections at least `agreement.similarity` alike. */
  neighbours: Set<Entry>;
}

/**
 * Where a remembered correction stands with the served weights, which sets how far it reaches:
 * - `'new'`: no retrain of these weights has trained on it. It reaches drawings a little way
 *   ({@link ANCHOR_MARGIN}) inside the closest known-good digit of another label, so small
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
  /** Similarity at and above which it decides alone (the same drawing, or nearly). */
  fullAt: number;
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
  /** Remembers a correction, by default as `'new'` (see {@link CorrectionStanding}). */
  add(id: string, feature: Float32Array, label: number, standing?: CorrectionStanding): void;
  has(id: string): boolean;
  remove(id: string): boolean;
  clear(): void;
  /**
   * Blends `probabilities` with the labels of remembered corrections whose features are close to
   * `feature`: returns new probabilities (same array length, summing to 1).
   */
  adjust(feature: Float32Array, probabilities: number[]): number[];
  /**
   * Known-good examples (MNIST digits, raw features and labels) a correction must out-match: a
   * correction counts for a drawing only where it is closer to it than every example of another
   * digit, so a correction of an unusual glyph does not capture ordinary digits that resemble it.
   */
  setAnchors(features: readonly Float32Array[], labels: ArrayLike<number>): void;
  readonly hasAnchors: boolean;
  /** Ids of corrections currently outvoted by their neighbours (without effect). */
  disputed(): string[];
}

/** How fast a correction's share falls with distance among corrections that all apply. */
const SHARPNESS = 0.02;

/**
 * How far inside the closest other-digit example a `'new'` correction still reaches. A trade,
 * measured on the shipped model (`docs/learning-from-corrections.md`): at 0.07, 92.0% of small
 * variants of MNIST digits corrected to their runner-up class follow the correction, and 500
 * corrections of hard writers' glyphs held at once (none consolidated yet) cost 2.2 points of
 * MNIST accuracy; at 0.06 it is 89.8% and 1.7 points; at 0.08, 93.5% and 3.0 points. The smallest
 * margin that keeps nine in ten variants.
 */
const ANCHOR_MARGIN = 0.07;

/**
 * The margin of an `'unfitted'` correction. Measured after consolidating the same 500
 * corrections (the weights fit 93.7% of them; MNIST accuracy of the weights alone 99.49%, from
 * 99.70% before): with the 31 left unfitted at 0.07, MNIST through `predict` is 98.83%; at 0.03,
 * 99.35%; at 0, 99.44%.
 */
const UNFITTED_MARGIN = 0;

const marginOf = (standing: CorrectionStanding) => (standing === 'new' ? ANCHOR_MARGIN : UNFITTED_MARGIN);

/**
 * Similarity at which a drawing is the corrected one itself (the same input gives the same
 * features). Not lower: ordinary 1s are often 0.98 alike, so "close enough" would let a disputed
 * lie about one 1 reach many.
 */
const SAME_DRAWING = 0.9999;

const dot = (a: Float32Array, b: Float32Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
};

/**
 * Corrections take effect at once, before any retraining: a corrected drawing's features are
 * remembered, and a later drawing whose features are close enough is pulled towards the
 * corrected label — fully for the same drawing or a near copy, less for looser matches, not at
 * all under the threshold (so other digits are untouched). Retraining later folds the corrections into the
 * weights themselves.
 */
export function createCorrectionMemory(options: CorrectionMemoryOptions): CorrectionMemory {
  const entries = new Map<string, Entry>();
  const { threshold, fullAt, centre } = options;
  let anchors: Array<{ feature: Float32Array; label: number }> = [];
  const agreement = options.agreement ?? DEFAULT_AGREEMENT;
  const isDisputed = (entry: Entry) => {
    if (entry.neighbours.size < agreement.minNeighbours) return false;
    const votes = new Array<number>(10).fill(0);
    for (const neighbour of entry.neighbours) votes[neighbour.label] = (votes[neighbour.label] ?? 0) + 1;
    const strongestOther = Math.max(...votes.filter((_, label) => label !== entry.label));
    return strongestOther >= agreement.dissent * entry.neighbours.size;
  };
  const unlink = (entry: Entry) => {
    for (const neighbour of entry.neighbours) neighbour.neighbours.delete(entry);
  };
  return {
    get size() {
      return entries.size;
    },
    add(id, feature, label, standing = 'new') {
      const previous = entries.get(id);
      if (previous) unlink(previous);
      const entry: Entry = {
        id,
        feature: centredUnit(feature, centre),
        label,
        standing,
        neighbours: new Set(),
      };
      for (const other of entries.values()) {
        if (other === previous || dot(entry.feature, other.feature) < agreement.similarity) continue;
        entry.neighbours.add(other);
        other.neighbours.add(entry);
      }
      entries.set(id, entry);
    },
    has(id) {
      return entries.has(id);
    },
    remove(id) {
      const entry = entries.get(id);
      if (entry) unlink(entry);
      return entries.delete(id);
    },
    clear() {
      entries.clear();
    },
    setAnchors(features, labels) {
      anchors = features.map((feature, i) => ({
        feature: centredUnit(feature, centre),
        label: labels[i] ?? 0,
      }));
    },
    get hasAnchors() {
      return anchors.length > 0;
    },
    disputed() {
      return [...entries.values()].filter(isDisputed).map((entry) => entry.id);
    },
    adjust(feature, probabilities) {
      if (entries.size === 0) return probabilities;
      const query = centredUnit(feature, centre);
      // The closest known-good example of each digit: a correction to `label` starts to count
      // only beyond (or, by its margin, a little inside) the closest example of any other digit.
      const anchorBest = new Array<number>(probabilities.length).fill(-1);
      for (const anchor of anchors) {
        const similarity = dot(query, anchor.feature);
        if (similarity > (anchorBest[anchor.label] ?? -1)) anchorBest[anchor.label] = similarity;
      }
      const rival = anchorBest.map((_, label) =>
        Math.max(...anchorBest.filter((__, other) => other !== label)),
      );
      // Each label's pull is its strongest correction's; its closest correction sets its share.
      const pull = new Array<number>(probabilities.length).fill(0);
      const closest = new Array<number>(probabilities.length).fill(-1);
      for (const entry of entries.values()) {
        if (entry.standing === 'fitted') continue;
        const similarity = dot(query, entry.feature);
        if (similarity < threshold) continue;
        // A disputed correction still decides for its own drawing: whoever corrected it sees it
        // stick; it only stops reaching other drawings.
        if (similarity < SAME_DRAWING && isDisputed(entry)) continue;
        const start = Math.max(threshold, (rival[entry.label] ?? -1) - marginOf(entry.standing));
        // Full effect the same share of the way from the start to identity as from the
        // threshold to `fullAt`, so the corrected drawing itself always decides alone.
        const full = start + ((fullAt - threshold) / (1 - threshold)) * (1 - start);
        const strength = full <= start ? 1 : Math.max(0, Math.min(1, (similarity - start) / (full - start)));
        pull[entry.label] = Math.max(pull[entry.label] ?? 0, strength);
        closest[entry.label] = Math.max(closest[entry.label] ?? -1, similarity);
      }
      const strongest = Math.max(...pull);
      if (strongest <= 0) return probabilities;
      // The model keeps (1 - strongest) of the mass. The rest is shared by the pulling labels,
      // sharply favouring the closest match, so re-drawing a corrected digit gets its own label
      // even when a similar drawing was corrected to another one.
      const shares = pull.map((p, label) => p * Math.exp(((closest[label] ?? -1) - 1) / SHARPNESS));
      const total = shares.reduce((a, b) => a + b, 0);
      return probabilities.map(
        (p, digit) => (1 - strongest) * p + (strongest * (shares[digit] ?? 0)) / total,
      );
    },
  };
}
