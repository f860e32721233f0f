import type { InkMap } from '../preprocess/ink.js';
import type { Rect } from '../preprocess/resample.js';
import { penWidthOf, seamsOf } from './seams.js';
import { boxOf, shapesOf, strokeWidthOf } from './shapes.js';

/**
 * A piece of a drawn number: one connected stroke shape, or the slice of one between two
 * candidate cuts. Digits are made of consecutive atoms; which atoms go together is decided by
 * how confidently the network reads each grouping (see `read-number.ts`).
 */
export interface Atom {
  /** Indices (y * width + x) of the atom's ink pixels in the ink map. */
  pixels: Int32Array;
  box: Rect;
  /** The connected shape it comes from: atoms of one shape were cut apart. */
  shape: number;
  /** Its place among its shape's pieces, left to right. */
  piece: number;
  /** How many pieces its shape was cut into (1: the whole shape). */
  pieces: number;
  /** Ink pixels crossed by the cut on the atom's left, in stroke widths (0 when not cut). */
  cutCost: number;
}

/** A connected shape of ink (8-connected), specks left out. */
export interface Shape {
  pixels: Int32Array;
  box: Rect;
}

/** A drawing's shapes, with the measures the grouping uses. */
export interface Segmentation {
  shapes: Shape[];
  /** Height of the tallest shape: the scale every geometric rule is relative to. */
  lineHeight: number;
  /** The pen's width, in pixels. */
  stroke: number;
  /** Width of the ink map the pixel indices refer to. */
  width: number;
}

/**
 * Shapes smaller than this fraction of the line height on both sides are specks (a dot, a pen
 * tap, a full stop), not digits or parts of one, however much ink a thick pen gave them
 * (docs/benchmarks.md, "Reading numbers: specks by size alone").
 */
const SPECK_SIDE = 0.25;
const isSpeck = (box: Rect, lineHeight: number) => Math.max(box.width, box.height) < SPECK_SIDE * lineHeight;
/**
 * Shapes narrower than this fraction of the line height are taken as one digit and not cut;
 * when the reading must have more digits than that gives, down to {@link CUT_MIN_WIDTH_FORCED}.
 */
export const CUT_MIN_WIDTH = 0.75;
export const CUT_MIN_WIDTH_FORCED = 0.35;
/** No cut leaves a piece narrower than this fraction of the line height. */
const CUT_MIN_PIECE = 0.12;
/** Candidate cuts are at least this fraction of the line height apart. */
const CUT_SPACING = 0.1;
/** At most this many candidate cuts per line height of a shape's width. */
const CUTS_PER_HEIGHT = 7;
/** Ink on a seam costs a cut this much of ordinary ink: there the strokes only touch. */
const SEAM_WEIGHT = 0.15;
/** A column with seam pixels over this fraction of the line height starts a candidate cut. */
const SEAM_START = 0.15;

/** A cut through a shape: for each row of its box, the first column on the cut's right. */
interface Cut {
  path: Int32Array;
  /** Ink crossed, in stroke widths. */
  cost: number;
}

/** How far (in line heights) a cut may wander from the column it starts from. */
const CUT_REACH = 0.5;
/** Cost of a cut's sideways step, and of each column it strays in each row, in ink pixels. */
const CUT_STEP = 0.1;
const CUT_STRAY = 0.002;

/**
 * The cheapest path from the top of the shape's box to its bottom near column `start` (box
 * coordinates), going down row by row and sideways within a row as far as it likes: it goes
 * round strokes where it can, so neighbours that overlap are parted along their own edges, and
 * a bar that reaches over the next digit is passed underneath, not cut through.
 */
function cutPath(mask: Float32Array, box: Rect, start: number, reach: number, stroke: number): Cut {
  const low = Math.max(1, start - reach);
  const high = Math.min(box.width - 1, start + reach);
  const span = high - low + 1;
  // What standing in each column of the span costs besides its ink: straying from `start`.
  const stray = new Float64Array(span);
  for (let i = 0; i < span; i++) stray[i] = CUT_STRAY * Math.abs(low + i - start);
  // Per row and column: the cost of the cheapest path that leaves the row down from there, the
  // column where it came into the row, and the step (-1, 0, 1) it came down by into that column.
  // (The loops below run for every pixel a cut may cross, for every candidate cut: they index
  // flat arrays directly.)
  const cost = new Float64Array(span * box.height);
  const entry = new Int32Array(span * box.height);
  const from = new Int8Array(span * box.height);
  /** What standing in each column of the current row costs: its ink and its stray. */
  const here = new Float64Array(span);
  for (let y = 0; y < box.height; y++) {
    const row = y * span;
    const ink = y * box.width + low;
    const above = row - span;
    for (let i = 0; i < span; i++) here[i] = (mask[ink + i] as number) + (stray[i] as number);
    for (let i = 0; i < span; i++) {
      entry[row + i] = i;
      if (y === 0) {
        cost[i] = here[i] as number;
        continue;
      }
      let best = Number.POSITIVE_INFINITY;
      let step = 0;
      if (i > 0) {
        best = (cost[above + i - 1] as number) + CUT_STEP;
        step = -1;
      }
      const straight = cost[above + i] as number;
      if (straight < best) {
        best = straight;
        step = 0;
      }
      if (i + 1 < span) {
        const right = (cost[above + i + 1] as number) + CUT_STEP;
        if (right < best) {
          best = right;
          step = 1;
        }
      }
      cost[row + i] = best + (here[i] as number);
      from[row + i] = step;
    }
    // Then sideways within the row: left to right, then right to left.
    for (let i = 1; i < span; i++) {
      const c = (cost[row + i - 1] as number) + CUT_STEP + (here[i] as number);
      if (c < (cost[row + i] as number)) {
        cost[row + i] = c;
        entry[row + i] = entry[row + i - 1] as number;
      }
    }
    for (let i = span - 2; i >= 0; i--) {
      const c = (cost[row + i + 1] as number) + CUT_STEP + (here[i] as number);
      if (c < (cost[row + i] as number)) {
        cost[row + i] = c;
        entry[row + i] = entry[row + i + 1] as number;
      }
    }
  }
  let at = 0;
  const bottom = (box.height - 1) * span;
  for (let i = 1; i < span; i++) if ((cost[bottom + i] ?? 0) < (cost[bottom + at] ?? 0)) at = i;
  const path = new Int32Array(box.height);
  let crossed = 0;
  for (let y = box.height - 1; y >= 0; y--) {
    path[y] = box.x + low + at;
    const came = entry[y * span + at] ?? at;
    for (let i = Math.min(at, came); i <= Math.max(at, came); i++)
      crossed += mask[y * box.width + low + i] ?? 0;
    at = came + (from[y * span + came] ?? 0);
  }
  return { path, cost: crossed / stroke };
}

/**
 * Where a shape may be cut in two: from the lowest points of its ink's column profile (where
 * touching digits usually meet), at least {@link CUT_SPACING} line heights apart, leaving no
 * piece under {@link CUT_MIN_PIECE}, a cheapest path through the ink; the cheapest few, left
 * to right, each with its cost in stroke widths.
 */
function cutsOf(
  pixels: Int32Array,
  box: Rect,
  { width, lineHeight, stroke }: Segmentation,
  minWidth: number,
): Cut[] {
  if (box.width < minWidth * lineHeight) return [];
  // The shape alone in its box: its ink costs a cut 1 a pixel, its seams less.
  const mask = new Float32Array(box.width * box.height);
  const profile = new Float32Array(box.width);
  for (const p of pixels) {
    const x = (p % width) - box.x;
    mask[(Math.floor(p / width) - box.y) * box.width + x] = 1;
    profile[x] = (profile[x] ?? 0) + 1;
  }
  const seams = seamsOf(mask, box.width, box.height, penWidthOf(mask, box.width, box.height));
  const seamProfile = new Float32Array(box.width);
  seams.forEach((seam, i) => {
    if (seam === 0 || mask[i] === 0) return;
    mask[i] = SEAM_WEIGHT;
    seamProfile[i % box.width] = (seamProfile[i % box.width] ?? 0) + 1;
  });
  const margin = Math.max(1, Math.round(CUT_MIN_PIECE * lineHeight));
  const candidates: Array<{ at: number; cost: number }> = [];
  const smooth = (i: number) => ((profile[i - 1] ?? 0) + (profile[i] ?? 0) + (profile[i + 1] ?? 0)) / 3;
  for (let i = margin; i < box.width - margin; i++) {
    const here = smooth(i);
    // Only the low points of the profile: where ink thins between two shapes.
    if (here <= smooth(i - 2) && here <= smooth(i + 2)) candidates.push({ at: i, cost: here / stroke });
    // And the columns where a long seam runs: two strokes run together there.
    const seam = seamProfile[i] ?? 0;
    if (
      seam >= SEAM_START * lineHeight &&
      seam >= (seamProfile[i - 1] ?? 0) &&
      seam > (seamProfile[i + 1] ?? 0)
    )
      candidates.push({ at: i, cost: 0 });
  }
  candidates.sort((a, b) => a.cost - b.cost || a.at - b.at);
  const spacing = CUT_SPACING * lineHeight;
  const chosen: Array<{ at: number; cost: number }> = [];
  for (const candidate of candidates) {
    if (chosen.length >= Math.ceil((CUTS_PER_HEIGHT * box.width) / lineHeight)) break;
    if (chosen.every((c) => Math.abs(c.at - candidate.at) >= spacing)) chosen.push(candidate);
  }
  const reach = Math.max(1, Math.round(CUT_REACH * lineHeight));
  const cuts = chosen.sort((a, b) => a.at - b.at).map((c) => cutPath(mask, box, c.at, reach, stroke));
  // Keep the paths in order, row by row, so the pieces between them never overlap.
  for (let k = 1; k < cuts.length; k++) {
    const left = (cuts[k - 1] as Cut).path;
    const right = (cuts[k] as Cut).path;
    for (let y = 0; y < right.length; y++) right[y] = Math.max(right[y] ?? 0, left[y] ?? 0);
  }
  return cuts;
}

/** The shapes of an ink map, specks left out; undefined when there is no ink. */
export function segment(map: InkMap): Segmentation | undefined {
  const { ink, width, height } = map;
  const stroke = strokeWidthOf(ink, width, height);
  const shapes = shapesOf(ink, width, height).map((pixels) => ({ pixels, box: boxOf(pixels, width) }));
  if (shapes.length === 0) return undefined;
  const largest = Math.max(...shapes.map((s) => s.pixels.length));
  const lineHeight = Math.max(
    ...shapes.filter((s) => s.pixels.length >= 0.1 * largest).map((s) => s.box.height),
  );
  const kept = shapes.filter((s) => !isSpeck(s.box, lineHeight));
  return { shapes: kept, lineHeight, stroke, width };
}

/**
 * Shapes as atoms, left to right: each shape whole, except those in `cut`, which are cut at
 * their candidate cuts (those narrower than `minWidth` line heights stay whole).
 */
export function atomsOf(
  segmentation: Segmentation,
  cut: ReadonlySet<number>,
  minWidth = CUT_MIN_WIDTH,
): Atom[] {
  const { shapes, width } = segmentation;
  const atoms: Atom[] = [];
  shapes.forEach(({ pixels, box }, shape) => {
    const cuts = cut.has(shape) ? cutsOf(pixels, box, segmentation, minWidth) : [];
    if (cuts.length === 0) {
      atoms.push({ pixels, box, shape, piece: 0, pieces: 1, cutCost: 0 });
      return;
    }
    const pieces: number[][] = [[], ...cuts.map(() => [])];
    for (const p of pixels) {
      const x = p % width;
      const row = Math.floor(p / width) - box.y;
      let piece = 0;
      while (piece < cuts.length && x >= ((cuts[piece] as Cut).path[row] ?? 0)) piece++;
      pieces[piece]?.push(p);
    }
    // Each piece with the cost of the cut on its left (none for the first).
    const kept = pieces
      .map((piece, k) => ({ pixels: piece, cutCost: k === 0 ? 0 : (cuts[k - 1]?.cost ?? 0) }))
      .filter((piece) => piece.pixels.length > 0);
    // A cut that leaves a speck (a sliver where its path hugs a stroke) did not part two digits:
    // that ink goes back to the neighbour it is joined to by more ink (the costlier of its two
    // cuts), and the cut between them goes.
    for (let i = 0; i < kept.length && kept.length > 1; ) {
      const piece = kept[i] as (typeof kept)[number];
      if (!isSpeck(boxOf(Int32Array.from(piece.pixels), width), segmentation.lineHeight)) {
        i++;
        continue;
      }
      const left = kept[i - 1];
      const right = kept[i + 1];
      if (left && (!right || piece.cutCost >= right.cutCost)) {
        left.pixels.push(...piece.pixels);
      } else if (right) {
        right.pixels.push(...piece.pixels);
        right.cutCost = piece.cutCost;
      }
      kept.splice(i, 1);
    }
    kept.forEach(({ pixels: piece, cutCost }, i) => {
      const own = Int32Array.from(piece);
      atoms.push({
        pixels: own,
        box: boxOf(own, width),
        shape,
        piece: i,
        pieces: kept.length,
        cutCost: i === 0 ? 0 : cutCost,
      });
    });
  });
  return atoms.sort((a, b) => a.box.x + a.box.width / 2 - (b.box.x + b.box.width / 2));
}
