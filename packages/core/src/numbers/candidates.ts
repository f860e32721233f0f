import type { InkMap } from '../preprocess/ink.js';
import { normaliseInk, type PreprocessedImage } from '../preprocess/preprocess.js';
import type { Rect } from '../preprocess/resample.js';
import type { Atom } from './segment.js';

/** A digit is at most this many consecutive atoms. */
const MAX_ATOMS_PER_DIGIT = 10;
/** A digit is at most this many line heights wide. */
const MAX_DIGIT_WIDTH = 1.6;
/** Atoms further apart than this fraction of the line height (a visible gap) are not one digit. */
const MAX_GAP = 0.03;
/**
 * How a split is scored: each digit adds the log of its confidence and loses these. Chosen on
 * the tuning writers' composed numbers (docs/numbers.md has the measurement). There is no cost
 * or reward per digit: the network is trained to be unsure of two digits read together
 * (`NOT_A_DIGIT`), and with those weights any reward per digit read fewer numbers right.
 */
export const SCORING = {
  /** Lost per stroke width a used cut crosses: cutting through ink is unlikely a boundary. */
  cutCost: 0.7,
  /**
   * Lost per line height a digit is wider than `wide` of the digit it is read as: wide ones are
   * likely two. `wide[d]` is the width (in heights) that 95% of the tuning writers' drawings of
   * `d` stay within: a 1 drawn wider than 0.82 of its height is rare, a 2 as wide as 1.42 is not.
   */
  widthCost: 3,
  wide: [1.36, 0.82, 1.42, 1.13, 1.09, 1.32, 0.96, 1.29, 1.05, 0.95] as readonly number[],
  /** Lost per line height a digit is shorter than `short`: a number's digits are about as tall. */
  heightCost: 6,
  short: 0.55,
  /**
   * Lost per unit of horizontal overlap (beyond 10% of the narrower) between a digit and the ink
   * right after it: strokes stacked over each other (a 0 drawn in two strokes, a 5's bar) are
   * one digit; neighbouring digits overlap little.
   */
  overlapCost: 1,
  /**
   * A digit read this confidently, and no wider than `wide` of the digit it is read as, is not
   * cut: a wide 0 read as a 0 at 1.00 is a 0, now that the network is unsure of two digits read
   * together.
   */
  sure: 0.97,
};

/** {@link SCORING}'s shape, for trying others while tuning. */
export type Scoring = typeof SCORING;

/** A grouping of consecutive atoms that may be one digit. */
export interface Candidate {
  /** Which ink it holds: the same for the same atoms however the shapes were cut. */
  key: string;
  from: number;
  to: number;
  box: Rect;
  image: PreprocessedImage;
  /** The split costs that do not depend on which digit it is read as (see {@link digitScore}). */
  penalty: number;
}

/**
 * A candidate's score once read: the log of its confidence, less its penalty and the width cost
 * of the digit it was read as.
 */
export function digitScore(
  candidate: Candidate,
  prediction: { digit: number; confidence: number },
  lineHeight: number,
  scoring: Scoring,
): number {
  const wide = scoring.wide[prediction.digit] ?? 1;
  const tooWide = Math.max(0, candidate.box.width / lineHeight - wide);
  return Math.log(Math.max(prediction.confidence, 1e-6)) - candidate.penalty - scoring.widthCost * tooWide;
}

function unionBox(atoms: readonly Atom[]): Rect {
  const x = Math.min(...atoms.map((a) => a.box.x));
  const y = Math.min(...atoms.map((a) => a.box.y));
  const right = Math.max(...atoms.map((a) => a.box.x + a.box.width));
  const bottom = Math.max(...atoms.map((a) => a.box.y + a.box.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** Whether the atoms' columns leave a visible gap between them. */
function hasGap(atoms: readonly Atom[], lineHeight: number): boolean {
  const spans = atoms.map((a) => [a.box.x, a.box.x + a.box.width] as const).sort((a, b) => a[0] - b[0]);
  let reach = spans[0]?.[1] ?? 0;
  for (const [from, to] of spans.slice(1)) {
    if (from - reach > MAX_GAP * lineHeight + 1) return true;
    reach = Math.max(reach, to);
  }
  return false;
}

/**
 * Stroke widths crossed by the cuts on the left of these atoms that part them from the rest of
 * their shapes. Each cut used is counted once, by the digit on its right.
 */
function cutsUsed(group: readonly Atom[]): number {
  let cost = 0;
  for (const atom of group) {
    if (atom.piece > 0 && !group.some((a) => a.shape === atom.shape && a.piece === atom.piece - 1))
      cost += atom.cutCost;
  }
  return cost;
}

/** A group's ink, named by its shapes, and by its pieces of the shapes it holds only part of. */
function keyOf(group: readonly Atom[]): string {
  const byShape = new Map<number, number[]>();
  for (const atom of group) byShape.set(atom.shape, [...(byShape.get(atom.shape) ?? []), atom.piece]);
  return [...byShape.entries()]
    .sort(([a], [b]) => a - b)
    .map(([shape, pieces]) => {
      const whole = group.find((a) => a.shape === shape)?.pieces === pieces.length;
      return whole ? `${shape}` : `${shape}:${pieces.sort((a, b) => a - b).join(',')}`;
    })
    .join(' ');
}

/** The ink of `atoms` alone, cropped to their box, as a 28x28 MNIST-style image. */
function imageOf(map: InkMap, atoms: readonly Atom[], box: Rect): PreprocessedImage {
  const crop = new Float32Array(box.width * box.height);
  for (const atom of atoms) {
    for (const p of atom.pixels) {
      const x = p % map.width;
      const y = (p - x) / map.width;
      crop[(y - box.y) * box.width + (x - box.x)] = map.ink[p] ?? 0;
    }
  }
  const image = normaliseInk(
    crop,
    box.width,
    { x: 0, y: 0, width: box.width, height: box.height },
    map.source,
  );
  return { ...image, info: { ...image.info, inkBox: box } };
}

/** How much of the narrower of a box and an atom's box their columns share, 0–1. */
function overlapOf(box: Rect, atom: Atom | undefined): number {
  if (!atom) return 0;
  const shared = Math.min(box.x + box.width, atom.box.x + atom.box.width) - Math.max(box.x, atom.box.x);
  return Math.max(0, shared) / Math.max(1, Math.min(box.width, atom.box.width));
}

export function candidatesOf(
  map: InkMap,
  atoms: readonly Atom[],
  lineHeight: number,
  scoring: Scoring,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (let from = 0; from < atoms.length; from++) {
    for (let to = from + 1; to <= Math.min(atoms.length, from + MAX_ATOMS_PER_DIGIT); to++) {
      const group = atoms.slice(from, to);
      const box = unionBox(group);
      if (box.width > MAX_DIGIT_WIDTH * lineHeight || hasGap(group, lineHeight)) break;
      const penalty =
        scoring.cutCost * cutsUsed(group) +
        scoring.heightCost * Math.max(0, scoring.short - box.height / lineHeight) +
        scoring.overlapCost * Math.max(0, overlapOf(box, atoms[to]) - 0.1);
      candidates.push({ key: keyOf(group), from, to, box, image: imageOf(map, group, box), penalty });
    }
  }
  return candidates;
}
