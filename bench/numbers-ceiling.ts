/**
 * Whether the right split of a drawn number is among `readNumber`'s candidate digits at all:
 * the ceiling any scoring of today's candidates could reach. Every shape is cut at its candidate
 * cuts (the forced, widest setting); a candidate is a true digit when it holds at least
 * {@link COVERS} of that digit's ink and at least {@link PURE} of its ink is that digit's, each
 * digit's ink drawn alone with `drawPenNumber`'s `layer` option.
 */

import type { RgbaImage } from '../packages/core/src/index.js';
import { type Candidate, candidatesOf, SCORING } from '../packages/core/src/numbers/candidates.js';
import { type Atom, atomsOf, CUT_MIN_WIDTH_FORCED, segment } from '../packages/core/src/numbers/segment.js';
import type { InkMap } from '../packages/core/src/preprocess/ink.js';
import { readInk } from '../packages/core/src/preprocess/validate.js';

const COVERS = 0.9;
const PURE = 0.85;
/** A pixel is a digit's ink from this much coverage on. */
const INKED = 0.3;
const MAX_SIDE = 4096;

/** An image's ink map, read as `readNumber` reads it. */
export const inkOf = (image: RgbaImage) => readInk(image, MAX_SIDE) as InkMap;

/** How many pixels of `ink` are inked. */
export const inkedPixels = (ink: Float32Array) => ink.reduce((n, v) => n + (v > INKED ? 1 : 0), 0);

/**
 * Which digits' ink a candidate holds: `held[d]`, the share of digit `d`'s inked pixels (of
 * `totals[d]`) inside it, and `digit`, the one digit it is (at least {@link COVERS} of that
 * digit's ink, at least {@link PURE} of its own ink that digit's) or -1. `layers` is each digit's
 * ink drawn alone where the number puts it.
 */
export function inkHeld(
  map: InkMap,
  atoms: readonly Atom[],
  candidate: Candidate,
  layers: readonly Float32Array[],
  totals: readonly number[],
): { held: number[]; digit: number } {
  const own = layers.map(() => 0);
  let ink = 0;
  for (const atom of atoms.slice(candidate.from, candidate.to)) {
    for (const p of atom.pixels) {
      if ((map.ink[p] ?? 0) <= INKED) continue;
      ink++;
      layers.forEach((layer, d) => {
        if ((layer[p] ?? 0) > INKED) own[d] = (own[d] ?? 0) + 1;
      });
    }
  }
  return {
    held: own.map((n, d) => n / Math.max(1, totals[d] ?? 0)),
    digit: own.findIndex((n, d) => n >= COVERS * (totals[d] ?? 0) && n >= PURE * ink),
  };
}

/** `image`: the whole number; `digitImages`: each of its digits drawn alone where it stands. */
export function splitIsCandidate(image: RgbaImage, digitImages: readonly RgbaImage[]): boolean {
  const map = inkOf(image);
  const layers = digitImages.map((digit) => inkOf(digit).ink);
  const totals = layers.map(inkedPixels);
  const segmentation = segment(map);
  if (!segmentation) return false;
  const atoms = atomsOf(segmentation, new Set(segmentation.shapes.keys()), CUT_MIN_WIDTH_FORCED);
  const candidates = candidatesOf(map, atoms, segmentation.lineHeight, SCORING);
  // reach[i]: how many leading digits the first i atoms can be, candidate by true candidate.
  const reach = Array.from({ length: atoms.length + 1 }, () => new Set<number>());
  reach[0]?.add(0);
  for (const c of [...candidates].sort((a, b) => a.from - b.from)) {
    const { digit } = inkHeld(map, atoms, c, layers, totals);
    if (digit >= 0 && reach[c.from]?.has(digit)) reach[c.to]?.add(digit + 1);
  }
  return reach[atoms.length]?.has(layers.length) ?? false;
}
