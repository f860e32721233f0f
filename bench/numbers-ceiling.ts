/**
 * Whether the right split of a drawn number is among `readNumber`'s candidate digits at all:
 * the ceiling any scoring of today's candidates could reach. Every shape is cut at its candidate
 * cuts (the forced, widest setting); a candidate is a true digit when it holds at least
 * {@link COVERS} of that digit's ink and at least {@link PURE} of its ink is that digit's, each
 * digit's ink drawn alone with `drawPenNumber`'s `layer` option.
 */

import type { RgbaImage } from '../packages/core/src/index.js';
import { candidatesOf, SCORING } from '../packages/core/src/numbers/candidates.js';
import { atomsOf, CUT_MIN_WIDTH_FORCED, segment } from '../packages/core/src/numbers/segment.js';
import type { InkMap } from '../packages/core/src/preprocess/ink.js';
import { readInk } from '../packages/core/src/preprocess/validate.js';

const COVERS = 0.9;
const PURE = 0.85;
/** A pixel is a digit's ink from this much coverage on. */
const INKED = 0.3;
const MAX_SIDE = 4096;

const inkOf = (image: RgbaImage) => readInk(image, MAX_SIDE) as InkMap;

/** `image`: the whole number; `digitImages`: each of its digits drawn alone where it stands. */
export function splitIsCandidate(image: RgbaImage, digitImages: readonly RgbaImage[]): boolean {
  const map = inkOf(image);
  const layers = digitImages.map((digit) => inkOf(digit).ink);
  const totals = layers.map((ink) => ink.reduce((n, v) => n + (v > INKED ? 1 : 0), 0));
  const segmentation = segment(map);
  if (!segmentation) return false;
  const atoms = atomsOf(segmentation, new Set(segmentation.shapes.keys()), CUT_MIN_WIDTH_FORCED);
  const candidates = candidatesOf(map, atoms, segmentation.lineHeight, SCORING);
  // reach[i]: how many leading digits the first i atoms can be, candidate by true candidate.
  const reach = Array.from({ length: atoms.length + 1 }, () => new Set<number>());
  reach[0]?.add(0);
  for (const c of [...candidates].sort((a, b) => a.from - b.from)) {
    const own = layers.map(() => 0);
    let ink = 0;
    for (const atom of atoms.slice(c.from, c.to)) {
      for (const p of atom.pixels) {
        if ((map.ink[p] ?? 0) <= INKED) continue;
        ink++;
        layers.forEach((layer, d) => {
          if ((layer[p] ?? 0) > INKED) own[d] = (own[d] ?? 0) + 1;
        });
      }
    }
    const digit = own.findIndex((n, d) => n >= COVERS * (totals[d] ?? 0) && n >= PURE * ink);
    if (digit >= 0 && reach[c.from]?.has(digit)) reach[c.to]?.add(digit + 1);
  }
  return reach[atoms.length]?.has(layers.length) ?? false;
}
