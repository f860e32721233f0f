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
 * Whether a correction to `label` is disputed, given how many of its neighbours carry each
 * label (`votes[at + l]` of them carry `l`, for the ten digits). The one rule for both users of
 * label agreement: retraining leaves disputed corrections out, the correction memory holds them
 * without effect.
 */
export function isDisputed(
  votes: ArrayLike<number>,
  label: number,
  options: AgreementOptions,
  at = 0,
): boolean {
  let neighbours = 0;
  let strongestOther = 0;
  for (let other = 0; other < 10; other++) {
    const count = votes[at + other] ?? 0;
    neighbours += count;
    if (other !== label && count > strongestOther) strongestOther = count;
  }
  return neighbours >= options.minNeighbours && strongestOther >= options.dissent * neighbours;
}

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
    features.forEach((other, j) => {
      if (i === j) return;
      let similarity = 0;
      for (let k = 0; k < feature.length; k++) similarity += (feature[k] ?? 0) * (other[k] ?? 0);
      if (similarity < options.similarity) return;
      const label = labels[j] ?? 0;
      votes[label] = (votes[label] ?? 0) + 1;
    });
    if (isDisputed(votes, labels[i] ?? 0, options)) disputed.add(i);
  });
  return disputed;
}
