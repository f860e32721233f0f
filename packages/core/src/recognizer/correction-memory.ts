import { centredUnit } from '../model/features.js';

/** One remembered correction: the model's feature vector of the image (unit length) and its label. */
interface Entry {
  id: string;
  feature: Float32Array;
  label: number;
}

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
}

/** Nearest-neighbour memory of corrections over the model's penultimate features. */
export interface CorrectionMemory {
  readonly size: number;
  add(id: string, feature: Float32Array, label: number): void;
  has(id: string): boolean;
  remove(id: string): boolean;
  clear(): void;
  /**
   * Blends `probabilities` with the labels of remembered corrections whose features are close to
   * `feature`: returns new probabilities (same array length, summing to 1).
   */
  adjust(feature: Float32Array, probabilities: number[]): number[];
}

/** How fast a correction's share falls with distance among corrections that all apply. */
const SHARPNESS = 0.02;

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
  return {
    get size() {
      return entries.size;
    },
    add(id, feature, label) {
      entries.set(id, { id, feature: centredUnit(feature, centre), label });
    },
    has(id) {
      return entries.has(id);
    },
    remove(id) {
      return entries.delete(id);
    },
    clear() {
      entries.clear();
    },
    adjust(feature, probabilities) {
      if (entries.size === 0) return probabilities;
      const query = centredUnit(feature, centre);
      // Each label's closest correction decides that label's pull.
      const pull = new Array<number>(probabilities.length).fill(0);
      const closest = new Array<number>(probabilities.length).fill(-1);
      for (const entry of entries.values()) {
        let similarity = 0;
        for (let i = 0; i < query.length; i++) similarity += (query[i] ?? 0) * (entry.feature[i] ?? 0);
        if (similarity > (closest[entry.label] ?? -1)) closest[entry.label] = similarity;
      }
      closest.forEach((similarity, label) => {
        pull[label] = Math.max(0, Math.min(1, (similarity - threshold) / (fullAt - threshold)));
      });
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
