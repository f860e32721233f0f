/** Options for {@link disputedCorrections}. */
export interface AgreementOptions {
  /** Cosine similarity (of centred, unit features) at which two corrections count as neighbours. */
  similarity: number;
  /** Fewest neighbours needed before a correction can be outvoted. */
  minNeighbours: number;
  /** Share of neighbours with one other label that outvotes a correction. */
  dissent: number;
}

export const DEFAULT_AGREEMENT: AgreementOptions = { similarity: 0.75, minNeighbours: 3, dissent: 0.6 };

/**
 * The label-agreement defence against poisoned corrections: indices of corrections whose close
 * neighbours among the other corrections mostly carry one other label. A user who labels 3s as
 * 8s is outvoted by everyone's correctly labelled 3s nearby; a writer's own consistent habit
 * (their 7s, all corrected to 7) agrees with itself and stays. `features` are unit vectors.
 */
export function disputedCorrections(
  features: readonly Float32Array[],
  labels: readonly number[],
  options: AgreementOptions = DEFAULT_AGREEMENT,
): Set<number> {
  const disputed = new Set<number>();
  features.forEach((feature, i) => {
    const votes = new Array<number>(10).fill(0);
    let neighbours = 0;
    features.forEach((other, j) => {
      if (i === j) return;
      let similarity = 0;
      for (let k = 0; k < feature.length; k++) similarity += (feature[k] ?? 0) * (other[k] ?? 0);
      if (similarity < options.similarity) return;
      neighbours++;
      const label = labels[j] ?? 0;
      votes[label] = (votes[label] ?? 0) + 1;
    });
    if (neighbours < options.minNeighbours) return;
    const own = labels[i] ?? 0;
    const strongestOther = Math.max(...votes.filter((_, label) => label !== own));
    if (strongestOther >= options.dissent * neighbours) disputed.add(i);
  });
  return disputed;
}
