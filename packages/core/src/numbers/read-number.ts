import type { ImageInput } from '../preprocess/index.js';
import { EmptyImageError } from '../preprocess/index.js';
import type { InkMap } from '../preprocess/ink.js';
import { hasEnoughInk } from '../preprocess/preprocess.js';
import { readInk } from '../preprocess/validate.js';
import { InvalidRecognizerOptionsError } from '../recognizer/options.js';
import type { Prediction } from '../recognizer/types.js';
import { type Candidate, candidatesOf, digitScore, SCORING, type Scoring } from './candidates.js';
import { type Atom, atomsOf, CUT_MIN_WIDTH_FORCED, type Segmentation, segment } from './segment.js';
import type { NumberDigit, NumberReading, ReadNumberOptions } from './types.js';

/** Reads 28x28 images with the recogniser's model and correction memory. */
export type Classify = (images: Float32Array[]) => Promise<Prediction[]>;

/** The most digits a reading may have. */
const MAX_DIGITS = 32;

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
      return { ...c, prediction, score: digitScore(c, prediction, lineHeight, scoring) };
    });
  };
}

/** Shapes that a reading leaves in doubt: in a digit read unsurely, or wider than that digit's `wide`. */
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
      digit.box.width <= (scoring.wide[digit.prediction.digit] ?? 1) * segmentation.lineHeight;
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
