import type { ImageInput } from '../preprocess/index.js';
import { EmptyImageError } from '../preprocess/index.js';
import type { InkMap } from '../preprocess/ink.js';
import { hasEnoughInk, normaliseInk, type PreprocessedImage } from '../preprocess/preprocess.js';
import type { Rect } from '../preprocess/resample.js';
import { readInk } from '../preprocess/validate.js';
import { InvalidRecognizerOptionsError } from '../recognizer/options.js';
import type { Prediction } from '../recognizer/types.js';
import { type Atom, atomsOf, CUT_MIN_WIDTH_FORCED, type Segmentation, segment } from './segment.js';
import type { NumberDigit, NumberReading, ReadNumberOptions } from './types.js';

/** Reads 28x28 images with the recogniser's model and correction memory. */
export type Classify = (images: Float32Array[]) => Promise<Prediction[]>;

/** A digit is at most this many consecutive atoms. */
const MAX_ATOMS_PER_DIGIT = 10;
/** A digit is at most this many line heights wide. */
const MAX_DIGIT_WIDTH = 1.6;
/** Atoms further apart than this fraction of the line height (a visible gap) are not one digit. */
const MAX_GAP = 0.03;
/**
 * How a split is scored: each digit adds the log of its confidence and loses these. Chosen on
 * the tuning writers' composed numbers (docs/numbers.md has the measurement).
 */
export const SCORING = {
  /** Lost per digit: a split must read that much more confidently than the whole. */
  digitCost: -0.3,
  /** Lost per stroke width a used cut crosses: cutting through ink is unlikely a boundary. */
  cutCost: 0.4,
  /** Lost per line height a digit is wider than `wide`: wide ones are likely two. */
  widthCost: 3,
  wide: 1.0,
  /** Lost per line height a digit is shorter than `short`: a number's digits are about as tall. */
  heightCost: 6,
  short: 0.55,
  /**
   * Lost per unit of horizontal overlap (beyond 10% of the narrower) between a digit and the ink
   * right after it: strokes stacked over each other (a 0 drawn in two strokes, a 5's bar) are
   * one digit; neighbouring digits overlap little.
   */
  overlapCost: 2,
  /** A digit read this confidently, and no wider than `sureWidth`, is not cut. */
  sure: 0.97,
  sureWidth: 0.95,
};

/** {@link SCORING}'s shape, for trying others while tuning. */
export type Scoring = typeof SCORING;

/** The most digits a reading may have. */
const MAX_DIGITS = 32;

/** A grouping of consecutive atoms that may be one digit. */
interface Candidate {
  /** Which ink it holds: the same for the same atoms however the shapes were cut. */
  key: string;
  from: number;
  to: number;
  box: Rect;
  image: PreprocessedImage;
  penalty: number;
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

function candidatesOf(
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
        scoring.digitCost +
        scoring.cutCost * cutsUsed(group) +
        scoring.widthCost * Math.max(0, box.width / lineHeight - scoring.wide) +
        scoring.heightCost * Math.max(0, scoring.short - box.height / lineHeight) +
        scoring.overlapCost * Math.max(0, overlapOf(box, atoms[to]) - 0.1);
      candidates.push({ key: keyOf(group), from, to, box, image: imageOf(map, group, box), penalty });
    }
  }
  return candidates;
}

function lengthRange(options: ReadNumberOptions): { min: number; max: number } {
  const { digits } = options;
  if (digits === undefined) return { min: 1, max: MAX_DIGITS };
  const range = typeof digits === 'number' ? { min: digits, max: digits } : digits;
  const min = range.min ?? 1;
  const max = range.max ?? MAX_DIGITS;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > MAX_DIGITS) {
    throw new InvalidRecognizerOptionsError(
      `digits must be 1–${MAX_DIGITS} or a range within it, got ${JSON.stringify(digits)}`,
    );
  }
  return { min, max };
}

/**
 * The best split of `count` atoms into digits, by the sum of the digits' scores: `best[i][k]`
 * is the best score of the first `i` atoms as `k` digits.
 */
function bestSplit(
  count: number,
  scored: Array<Candidate & { score: number }>,
  range: { min: number; max: number },
) {
  const most = Math.min(count, MAX_DIGITS);
  const best = Array.from({ length: count + 1 }, () =>
    new Float64Array(most + 1).fill(Number.NEGATIVE_INFINITY),
  );
  const via = Array.from({ length: count + 1 }, () => new Array<number>(most + 1).fill(-1));
  (best[0] as Float64Array)[0] = 0;
  const ending = scored.map((c, i) => ({ c, i })).sort((a, b) => a.c.to - b.c.to);
  for (const { c, i } of ending) {
    const before = best[c.from] as Float64Array;
    const after = best[c.to] as Float64Array;
    for (let k = 1; k <= most; k++) {
      const total = (before[k - 1] ?? Number.NEGATIVE_INFINITY) + c.score;
      if (total > (after[k] ?? Number.NEGATIVE_INFINITY)) {
        after[k] = total;
        (via[c.to] as number[])[k] = i;
      }
    }
  }
  const last = best[count] as Float64Array;
  const pick = (low: number, high: number) => {
    let k = -1;
    for (let n = low; n <= Math.min(high, most); n++)
      if (Number.isFinite(last[n] ?? Number.NEGATIVE_INFINITY) && (k < 0 || (last[n] ?? 0) > (last[k] ?? 0)))
        k = n;
    return k;
  };
  const wanted = pick(range.min, range.max);
  const k = wanted >= 0 ? wanted : pick(1, most);
  const chosen: number[] = [];
  for (let at = count, n = k; at > 0 && n > 0; n--) {
    const i = (via[at] as number[])[n] ?? -1;
    chosen.unshift(i);
    at = scored[i]?.from ?? 0;
  }
  return { chosen, inRange: wanted >= 0 };
}

type Scored = Candidate & { score: number; prediction: Prediction };

/** Candidates' readings, each grouping read once however many times it is proposed. */
function scorer(classify: Classify, map: InkMap, lineHeight: number, scoring: Scoring) {
  const known = new Map<string, Prediction>();
  return async (atoms: Atom[]): Promise<Scored[]> => {
    const candidates = candidatesOf(map, atoms, lineHeight, scoring);
    const fresh = candidates.filter(
      (c, i) => !known.has(c.key) && candidates.findIndex((o) => o.key === c.key) === i,
    );
    const predictions = await classify(fresh.map((c) => c.image.pixels));
    fresh.forEach((c, i) => {
      known.set(c.key, predictions[i] as Prediction);
    });
    return candidates.map((c) => {
      const prediction = known.get(c.key) as Prediction;
      return { ...c, prediction, score: Math.log(Math.max(prediction.confidence, 1e-6)) - c.penalty };
    });
  };
}

/** Shapes that a reading leaves in doubt: in a digit read unsurely, or too wide to be one digit. */
function doubtful(
  chosen: readonly Scored[],
  atoms: readonly Atom[],
  segmentation: Segmentation,
  scoring: Scoring,
): Set<number> {
  const shapes = new Set<number>();
  for (const digit of chosen) {
    const sure =
      digit.prediction.confidence >= scoring.sure &&
      digit.box.width <= scoring.sureWidth * segmentation.lineHeight;
    if (!sure) for (const atom of atoms.slice(digit.from, digit.to)) shapes.add(atom.shape);
  }
  return shapes;
}

/**
 * Reads a handwritten number. The ink is split into connected shapes (specks left out), and
 * every run of neighbouring shapes that could be one digit (a 5 and its detached bar) is read
 * in one batch; the split whose digits read most confidently wins. Shapes that split leaves in
 * doubt (read unsurely, or wider than a digit) are then cut at the thin columns where touching
 * digits meet, and the pieces read and split the same way, so touching and overlapping
 * neighbours come apart without cutting digits that were read well whole.
 */
export async function readNumber(
  classify: Classify,
  input: ImageInput,
  options: ReadNumberOptions,
  maxSide: number,
  scoring: Scoring = SCORING,
): Promise<NumberReading> {
  const range = lengthRange(options);
  const read = readInk(input, maxSide);
  const map: InkMap =
    'mnist' in read
      ? {
          ink: Float32Array.from(read.mnist),
          width: 28,
          height: 28,
          source: 'light-on-dark',
          box: { x: 0, y: 0, width: 28, height: 28 },
          mass: 1,
        }
      : read;
  if (!map.box || !hasEnoughInk(map.mass, map.box, map.width, map.height)) throw new EmptyImageError();
  const segmentation = segment(map);
  if (!segmentation) throw new EmptyImageError();
  const score = scorer(classify, map, segmentation.lineHeight, scoring);

  let atoms = atomsOf(segmentation, new Set());
  let scored = await score(atoms);
  let split = bestSplit(atoms.length, scored, range);
  const cut = split.inRange
    ? doubtful(
        split.chosen.map((i) => scored[i] as Scored),
        atoms,
        segmentation,
        scoring,
      )
    : new Set(segmentation.shapes.keys());
  if (cut.size > 0) {
    atoms = atomsOf(segmentation, cut, split.inRange ? undefined : CUT_MIN_WIDTH_FORCED);
    scored = await score(atoms);
    split = bestSplit(atoms.length, scored, range);
  }
  const digits: NumberDigit[] = split.chosen.map((i) => {
    const { prediction, image, box } = scored[i] as Scored;
    return { ...prediction, preprocessed: image, box };
  });
  const confidence = split.inRange ? digits.reduce((product, d) => product * d.confidence, 1) : 0;
  return { text: digits.map((d) => d.digit).join(''), confidence, digits };
}
