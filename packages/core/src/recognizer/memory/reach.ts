import { argmax } from '../forward.js';
import { type CorrectionRows, closestByLabel, noDigits, type RehearsalDigits } from './feature-rows.js';

/**
 * Where a remembered correction stands with the served weights, which sets how far it reaches:
 * - `'new'`: no retrain of these weights has trained on it, and they were unsure of the drawing
 *   (under {@link READ_CONFIDENTLY}). It reaches drawings a little way ({@link REHEARSAL_MARGIN})
 *   inside the closest known-good digit of another label, so small variants of the drawing
 *   follow it at once, but not past the user's own confident readings of another digit.
 * - `'overriding'`: as `'new'`, but the weights read the drawing confidently as another digit. The
 *   user overrides a sure reading: a deliberate statement about this glyph, which reaches past
 *   the user's own readings as far as past the rehearsal digits.
 * - `'unfitted'`: the retrain that made these weights trained on it, and they still misread it.
 *   It reaches only drawings closer to it than to every known-good digit of another label: the
 *   retrain had its chance to widen it safely, and a glyph it could not fit is one that sits among
 *   ordinary digits, where a wider reach costs their accuracy.
 * - `'fitted'`: the weights get it right. It pulls no other drawing and still votes in label
 *   agreement, so the honest corrections a retrain has folded into the weights keep outvoting lies
 *   made near them. It still decides for its own drawing: a drawing the network reads right can
 *   have been corrected because another correction's reach misread it, and it must read as
 *   corrected after a reopen or a retrain too. And it ends the reach of every correction of
 *   another label before itself (`CorrectionRows.bounds`, reach-bounds.ts).
 */
export type CorrectionStanding = 'new' | 'overriding' | 'unfitted' | 'fitted';

/** Standings as stored in `CorrectionRows.standings`: each one's index here. */
export const STANDINGS: readonly CorrectionStanding[] = ['new', 'unfitted', 'fitted', 'overriding'];
const NEW = STANDINGS.indexOf('new');
const UNFITTED = STANDINGS.indexOf('unfitted');
const FITTED = STANDINGS.indexOf('fitted');

/**
 * Whether a stored standing is `'new'` or `'overriding'`: the weights misread the correction's
 * drawing and no retrain of them has trained on it (unlike `'fitted'` and `'unfitted'`).
 */
export const isFresh = (standing: number) => standing !== FITTED && standing !== UNFITTED;

/**
 * Confidence from which the network's reading of a drawing is sure: a reading the user leaves
 * stands for how they write that digit, and a correction of it is an override.
 */
export const READ_CONFIDENTLY = 0.9;

/**
 * The standing of a correction to `label` of a drawing the weights read as `probabilities`;
 * `trained` when the retrain that made them trained on it.
 */
export function standingOf(
  probabilities: readonly number[],
  label: number,
  trained: boolean,
): CorrectionStanding {
  const read = argmax(probabilities);
  if (read === label) return 'fitted';
  if (trained) return 'unfitted';
  return (probabilities[read] ?? 0) >= READ_CONFIDENTLY ? 'overriding' : 'new';
}

/**
 * How fast a correction's share falls with distance among corrections that all apply: sharply,
 * so that re-drawing a corrected digit gets its own label even when a similar drawing was
 * corrected to another one.
 */
const SHARPNESS = 0.02;

/**
 * How far inside the closest other-digit rehearsal digit a `'new'` correction still reaches. Every
 * step wider lets a correction capture more drawings the model reads right (other writers'
 * digits, ordinary ones); every step narrower loses repeat errors a correction should fix and
 * small variants of the corrected digit. On the shipped weights the tuning writers' streams
 * introduce the same errors at 0.055, 0.07 and 0.085 and hold no repeat error to fix, so the
 * small variants of a corrected MNIST digit choose: 0.07 is the narrowest of those margins that
 * keeps 90% of them following the correction (docs/learning-from-corrections.md, "How far a new
 * correction reaches").
 */
const REHEARSAL_MARGIN = 0.07;

/**
 * The margin of an `'unfitted'` correction: negative, so it reaches only drawings clearly closer
 * to it than to any rehearsal digit of another digit. A retrain could not fit the glyph, so it
 * sits among ordinary digits, and any wider reach showed as lost MNIST accuracy once the
 * corrections were consolidated (docs/learning-from-corrections.md, the *unfitted* standing).
 */
const UNFITTED_MARGIN = -0.05;

/**
 * How much closer than where it starts to count (past the threshold and its rival rehearsal
 * digits) a correction must be to decide alone: a ramp, not a step, so a drawing at the edge of
 * a correction's reach is only leaned on.
 */
const RAMP = 0.03;

/**
 * Similarity at which a drawing is the corrected one itself (the same input gives the same
 * features). Not lower: ordinary 1s are often 0.98 alike, so "close enough" would let a disputed
 * lie about one 1 reach many.
 */
export const SAME_DRAWING = 0.9999;

/**
 * Per label, the closest of these digits (their labels and similarities; only those `sure` flags
 * when given) of any other label: what a correction to it must beat.
 */
function rivals(
  labels: ArrayLike<number>,
  similarities: ArrayLike<number>,
  count: number,
  sure?: ArrayLike<number>,
): number[] {
  const closest = closestByLabel(noDigits(), labels, similarities, count, sure && ((i) => sure[i] === 1));
  return closest.map((_, label) => Math.max(...closest.filter((__, other) => other !== label)));
}

/** How strongly a correction pulls a drawing `similarity` alike, where its reach starts at `start`. */
function strengthAt(similarity: number, start: number): number {
  if (similarity >= SAME_DRAWING) return 1;
  // Capped so that the corrected drawing itself always decides alone; and where the start lies
  // past that cap (a drawing all but identical to an example of another digit), only the
  // corrected drawing itself is reached.
  const full = Math.min(start + RAMP, SAME_DRAWING);
  if (full <= start) return 0;
  return Math.max(0, Math.min(1, (similarity - start) / (full - start)));
}

/** What {@link adjustedProbabilities} needs besides the drawing's similarities. */
export interface AdjustOptions {
  /** Similarity under which no correction counts. */
  threshold: number;
  /** Whether the correction in a row is outvoted by its neighbours. */
  isDisputed(row: number): boolean;
  /**
   * The drawings read lately, the digits read and their similarities to this drawing: those
   * read confidently (`sure`) are the user's own digits, rivals of a correction as the rehearsal
   * digits are (without the margin for a `'new'` correction).
   */
  readings?: {
    labels: ArrayLike<number>;
    sure: ArrayLike<number>;
    count: number;
    similarities: ArrayLike<number>;
  };
}

/**
 * `probabilities` pulled towards the labels of the corrections that reach a drawing, given its
 * similarities to every correction (`rows.similarities`) and to every rehearsal digit
 * (`toRehearsal`): new probabilities, the same length, summing to 1.
 */
export function adjustedProbabilities(
  probabilities: number[],
  rows: CorrectionRows,
  rehearsal: RehearsalDigits,
  toRehearsal: ArrayLike<number>,
  options: AdjustOptions,
): number[] {
  const { threshold } = options;
  const rival = rivals(rehearsal.labels, toRehearsal, rehearsal.count);
  const { readings } = options;
  // The readings' rivals, made only once some correction is near: most drawings are near none.
  let own: number[] | undefined;
  const ownRival = (label: number) => {
    own ??= readings ? rivals(readings.labels, readings.similarities, readings.count, readings.sure) : [];
    return own[label] ?? -1;
  };
  // Each label's pull is its strongest correction's; its closest correction that reaches the
  // drawing sets its share.
  const pull = new Array<number>(probabilities.length).fill(0);
  const closest = new Array<number>(probabilities.length).fill(-1);
  for (let row = 0; row < rows.count; row++) {
    const similarity = rows.similarities[row] as number;
    if (similarity < threshold) continue;
    // A fitted correction decides only its own drawing; no correction reaches as far as a
    // fitted one of another label.
    if (
      similarity < SAME_DRAWING &&
      (rows.standings[row] === FITTED || similarity <= (rows.bounds[row] as number))
    )
      continue;
    const label = rows.labels[row] as number;
    const margin = rows.standings[row] === UNFITTED ? UNFITTED_MARGIN : REHEARSAL_MARGIN;
    if (similarity < SAME_DRAWING) {
      // Cheapest test first: a correction no closer than its rehearsal rivals allow reaches
      // nothing, whatever else holds. Near a drawing of a common digit, most corrections stop here.
      if (similarity <= (rival[label] as number) - margin) continue;
      // A disputed correction still decides for its own drawing: whoever corrected it sees it
      // stick; it only stops reaching other drawings.
      if (options.isDisputed(row)) continue;
    }
    // A new correction stops at the user's own readings of another digit: the network was unsure
    // of its drawing, which sits where this writer's digits of two labels meet, and the readings
    // the user left are the best evidence of where that boundary runs. Past them, one writer's
    // corrections captured their next digits of the other label, back and forth
    // (docs/learning-from-corrections.md, "The user's own readings as rivals").
    const ownMargin = rows.standings[row] === NEW ? 0 : margin;
    const start = Math.max(threshold, (rival[label] as number) - margin, ownRival(label) - ownMargin);
    const strength = strengthAt(similarity, start);
    if (strength <= 0) continue;
    pull[label] = Math.max(pull[label] as number, strength);
    closest[label] = Math.max(closest[label] as number, similarity);
  }
  const strongest = Math.max(...pull);
  if (strongest <= 0) return probabilities;
  // The model keeps (1 - strongest) of the mass; the pulling labels share the rest.
  const shares = pull.map((p, label) => p * Math.exp(((closest[label] as number) - 1) / SHARPNESS));
  const total = shares.reduce((a, b) => a + b, 0);
  return probabilities.map(
    (p, digit) => (1 - strongest) * p + (strongest * (shares[digit] as number)) / total,
  );
}
