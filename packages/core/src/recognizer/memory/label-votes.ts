import { type AgreementOptions, isDisputed } from '../../retrain/agreement.js';
import { type CorrectionRows, LABELS } from './feature-rows.js';

/**
 * Counts `row` among its neighbours' votes and theirs among its own (`step` 1), or takes them
 * back (`step` -1), given its similarity to every row in `rows.similarities`. Kept as counts, not
 * as lists of neighbours, so what is kept grows with the corrections, not with how alike they are.
 * The rehearsal digits do not vote: label agreement is among corrections only.
 */
export function tallyNeighbours(
  rows: CorrectionRows,
  row: number,
  step: 1 | -1,
  options: AgreementOptions,
): void {
  const { count, labels, similarities, votes } = rows;
  const label = labels[row] as number;
  for (let other = 0; other < count; other++) {
    if (other === row || (similarities[other] as number) < options.similarity) continue;
    votes[other * LABELS + label] = (votes[other * LABELS + label] as number) + step;
    const theirs = row * LABELS + (labels[other] as number);
    votes[theirs] = (votes[theirs] as number) + step;
  }
}

/** Whether the correction in `row` is outvoted by its neighbours, by the rule retraining applies too. */
export function isRowDisputed(rows: CorrectionRows, row: number, options: AgreementOptions): boolean {
  return isDisputed(rows.votes, rows.labels[row] as number, options, row * LABELS);
}
