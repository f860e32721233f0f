import { type CorrectionRows, compareRows, NO_BOUND, rowFeature } from './feature-rows.js';
import { STANDINGS } from './reach.js';

const FITTED = STANDINGS.indexOf('fitted');

/**
 * Takes `row` into the reach bounds, given its similarity to every row in `rows.similarities`:
 * a fitted row (a drawing the weights read right, confirmed by the user) bounds every row of
 * another label, and `row` is bounded by every fitted row of another label.
 *
 * Why: a user who corrects a drawing the network alone reads right does so because another
 * correction's reach misread it. That correction reached too far; its reach now ends before the
 * counter-example, in every direction, instead of pulling the writer's next digits of that kind
 * until each is corrected back.
 */
export function boundReach(rows: CorrectionRows, row: number): void {
  const { count, labels, similarities, standings, bounds } = rows;
  const label = labels[row] as number;
  const fitted = standings[row] === FITTED;
  for (let other = 0; other < count; other++) {
    if (other === row || labels[other] === label) continue;
    const similarity = similarities[other] as number;
    if (fitted && similarity > (bounds[other] as number)) bounds[other] = similarity;
    if (standings[other] === FITTED && similarity > (bounds[row] as number)) bounds[row] = similarity;
  }
}

/**
 * The ids of the rows whose bound fitted `row` sets, given its similarity to every row in
 * `rows.similarities`: what must be bounded again once it goes. Similarities can come from the
 * backend or from here, so equal means within float rounding.
 */
export function boundedBy(rows: CorrectionRows, row: number): string[] {
  if (rows.standings[row] !== FITTED) return [];
  const bounded: string[] = [];
  for (let other = 0; other < rows.count; other++) {
    if (other === row || rows.labels[other] === rows.labels[row]) continue;
    if ((rows.bounds[other] as number) <= (rows.similarities[other] as number) + 1e-5)
      bounded.push(rows.ids[other] as string);
  }
  return bounded;
}

/** Sets `row`'s bound afresh from the fitted rows of other labels (overwrites `rows.similarities`). */
export function rebound(rows: CorrectionRows, row: number): void {
  compareRows(rows, rowFeature(rows, row));
  rows.bounds[row] = NO_BOUND;
  boundReach(rows, row);
}
