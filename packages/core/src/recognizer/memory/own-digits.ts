/**
 * The user's own digits decide near copies. A correction's reach is bounded by other people's
 * digits (the rehearsal set) and kept short, so a writer's next drawing of a corrected glyph can
 * still fall outside it; and a writer often draws a digit the same way as one read right before.
 * A drawing far closer to one of the user's digits of another label than to any of theirs of the
 * label read is that label. The user's digits are the readings they left (sure or not) and their
 * `'new'` and `'overriding'` corrections (disputed ones excepted). A `'fitted'` correction (the
 * weights read it right) or an `'unfitted'` one (a retrain had it) does not speak for its label:
 * the weights draw that line themselves (with them speaking, 500 consolidated corrections cost
 * 0.33 points of MNIST through `predict` instead of 0.18). Every correction, even a disputed one,
 * holds its own label, so a corrected drawing still reads as corrected. They speak only once the
 * memory holds a correction: a recogniser nobody corrects reads as its weights do, since readings
 * left wrong would teach it their errors. The constants were chosen on the tuning writers'
 * streams (docs/benchmarks.md, "Learning from corrections: the user's own digits decide near
 * copies").
 */
import { argmax } from '../forward.js';
import { LABELS } from './feature-rows.js';

/**
 * Similarity from which one of the user's own digits speaks for a drawing: about as alike as two
 * drawings of one digit by one writer, rarely two digits (the threshold a correction starts at
 * is 0.7, its rehearsal rivals usually set it higher).
 */
const OWN_DIGIT = 0.85;

/**
 * How much closer the user's own digit of another label must be than their closest digit of the
 * label read: a writer who draws two digits alike has drawings of both near the boundary, and
 * there the reading stands.
 */
const OWN_MARGIN = 0.08;

/**
 * The least probability the network must give the other label: a drawing the network is sure
 * is not that digit stays as read, however alike it is to one of the user's.
 */
const OWN_FLOOR = 0.01;

/** The share of the probability mass moved to the label the user's own digits give. */
const OWN_SHARE = 0.6;

/**
 * `probabilities` (already adjusted for corrections; `network`: what the weights alone gave)
 * after the user's own digits have spoken, given the drawing's similarity to their closest
 * digit of each label that speaks for it (`speaking`) and that holds it (`holding`, at least as
 * close; both from `closestByLabel`, feature-rows.ts): when one speaking for another label is
 * far closer than any holding the label read, the drawing reads as that label.
 */
export function followOwnDigits(
  probabilities: number[],
  network: readonly number[],
  speaking: readonly number[],
  holding: readonly number[],
): number[] {
  const read = argmax(probabilities);
  let other = -1;
  for (let label = 0; label < LABELS; label++) {
    if (label !== read && (other < 0 || (speaking[label] as number) > (speaking[other] as number)))
      other = label;
  }
  const alike = speaking[other] as number;
  if (
    alike < OWN_DIGIT ||
    alike - (holding[read] as number) < OWN_MARGIN ||
    (network[other] ?? 0) < OWN_FLOOR
  )
    return probabilities;
  return probabilities.map((p, digit) => (1 - OWN_SHARE) * p + (digit === other ? OWN_SHARE : 0));
}
