import type { Random } from '@crazy-digits/core/training';
import { coverageToRgba } from './canvas.js';
import type { DrawnNumber, NumberCanvasOptions, NumberSpacing } from './pen-numbers.js';

/** One digit's rendered ink: a coverage tile trimmed to its ink, and where it sits. */
export interface Layer {
  coverage: Float32Array;
  width: number;
  height: number;
  x: number;
  y: number;
}

/** A pixel counts as ink when it differs from the background (a coverage of half a byte). */
const INK = 0.5 / 255;
/** A pixel is an ink core, where touching is judged, when ink covers at least half of it. */
const CORE = 0.5;
/** Fewest pixels between the ink and the canvas's edges. */
const EDGE = 2;
/** Widest a digit may be, as a multiple of the number's digit height (for very flat writing). */
export const WIDEST = 1.5;

/** Every random choice of a number, drawn up front so that a relayout repeats them. */
interface Plan {
  /** The digits' height as a fraction of the canvas height, 0.45–0.75. */
  size: number;
  /** Per digit: a height factor (±4%) and a baseline offset (±3% of the canvas height). */
  scales: number[];
  drops: number[];
  /** Where the baseline goes in the room left free, 0–1. */
  baseline: number;
  /** Per gap: where in its spacing's range it falls, 0–1. */
  gaps: number[];
  margins: [number, number];
  /** Where a number on a canvas of given width goes in the room left free, 0–1. */
  place: number;
}

function plan(count: number, random: Random): Plan {
  const size = 0.45 + 0.3 * random();
  const scales: number[] = [];
  const drops: number[] = [];
  for (let i = 0; i < count; i++) {
    scales.push(1 + 0.08 * (random() - 0.5));
    drops.push(0.06 * (random() - 0.5));
  }
  const baseline = random();
  const gaps = Array.from({ length: Math.max(0, count - 1) }, () => random());
  const margins: [number, number] = [0.05 + 0.25 * random(), 0.05 + 0.25 * random()];
  return { size, scales, drops, baseline, gaps, margins, place: random() };
}

/** Trims a coverage tile whose top left sits at (x, y) to its ink. */
export function trim(coverage: Float32Array, width: number, height: number, x: number, y: number): Layer {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      if ((coverage[row * width + column] ?? 0) <= INK) continue;
      left = Math.min(left, column);
      right = Math.max(right, column);
      top = Math.min(top, row);
      bottom = Math.max(bottom, row);
    }
  }
  if (right < 0) throw new RangeError('a digit of the number has no ink');
  const trimmed = new Float32Array((right - left + 1) * (bottom - top + 1));
  for (let row = top; row <= bottom; row++)
    trimmed.set(
      coverage.subarray(row * width + left, row * width + right + 1),
      (row - top) * (right - left + 1),
    );
  return { coverage: trimmed, width: right - left + 1, height: bottom - top + 1, x: x + left, y: y + top };
}

/** Each row's leftmost (`'left'`) or rightmost core column, in the layer's own columns; NaN for none. */
function coreEdges(layer: Layer, side: 'left' | 'right'): number[] {
  return Array.from({ length: layer.height }, (_, row) => {
    const columns = Array.from({ length: layer.width }, (_, c) => c);
    if (side === 'right') columns.reverse();
    const found = columns.find((c) => (layer.coverage[row * layer.width + c] ?? 0) >= CORE);
    return found ?? Number.NaN;
  });
}

/**
 * The largest x for `next` at which its ink core touches `previous`'s (overlapping, or sharing
 * an edge): sliding `next` in from the right, the first contact. Undefined when no row of one
 * has core ink beside a row of the other.
 */
function touchingX(previous: Layer, next: Layer): number | undefined {
  const rights = coreEdges(previous, 'right');
  const lefts = coreEdges(next, 'left');
  let best = Number.NEGATIVE_INFINITY;
  for (let row = 0; row < next.height; row++) {
    const left = lefts[row] ?? Number.NaN;
    if (Number.isNaN(left)) continue;
    const y = next.y + row;
    for (const [dy, reach] of [
      [0, 1],
      [-1, 0],
      [1, 0],
    ] as const) {
      const right = rights[y + dy - previous.y];
      if (right === undefined || Number.isNaN(right)) continue;
      best = Math.max(best, previous.x + right + reach - left);
    }
  }
  return Number.isFinite(best) ? best : undefined;
}

/** Places the layers side by side (their y already set), the first at x 0; mutates their x. */
function placeAcross(layers: Layer[], spacing: NumberSpacing, gaps: readonly number[]): void {
  layers.forEach((next, i) => {
    const previous = layers[i - 1];
    if (previous === undefined) {
      next.x = 0;
      return;
    }
    const end = previous.x + previous.width;
    const u = gaps[i - 1] ?? 0.5;
    if (spacing === 'separate') {
      next.x = end + Math.ceil((0.1 + 0.5 * u) * Math.max(previous.height, next.height));
    } else if (spacing === 'overlapping') {
      next.x = end - Math.max(1, Math.round((0.02 + 0.08 * u) * Math.min(previous.width, next.width)));
    } else {
      // Past the previous digit's left edge would no longer read left to right.
      next.x = Math.max(previous.x + 1, touchingX(previous, next) ?? end);
    }
  });
}

/**
 * Lays a number out and draws it: `render(i, height, bottom)` gives digit `i` drawn `height`
 * px tall (ink centre line) with its bottom at canvas row `bottom`, trimmed to its ink.
 */
export function compose(
  count: number,
  text: string,
  options: NumberCanvasOptions,
  render: (index: number, height: number, bottom: number) => Layer,
): DrawnNumber {
  if (count < 1) throw new RangeError('a number needs at least one digit');
  const canvasHeight = options.height ?? 280;
  const choices = plan(count, options.random);
  let shrink = 1;
  let layers: Layer[] = [];
  let width = 0;
  let left = 0;
  for (let attempt = 0; ; attempt++) {
    const digitHeight = choices.size * canvasHeight * shrink;
    const tallest = Math.max(...choices.scales) * digitHeight;
    const free = canvasHeight - tallest - 0.12 * canvasHeight;
    const baseline = canvasHeight - 0.06 * canvasHeight - (1 - choices.baseline) * Math.max(0, free);
    layers = Array.from({ length: count }, (_, i) => {
      const layer = render(
        i,
        (choices.scales[i] ?? 1) * digitHeight,
        baseline + (choices.drops[i] ?? 0) * canvasHeight,
      );
      layer.y = Math.min(Math.max(layer.y, EDGE), canvasHeight - EDGE - layer.height);
      return layer;
    });
    placeAcross(layers, options.spacing, choices.gaps);
    const start = Math.min(...layers.map((l) => l.x));
    const extent = Math.max(...layers.map((l) => l.x + l.width)) - start;
    if (options.width === undefined) {
      const [before, after] = choices.margins.map((m) => Math.max(EDGE, Math.round(m * canvasHeight)));
      width = (before ?? EDGE) + extent + (after ?? EDGE);
      left = (before ?? EDGE) - start;
      break;
    }
    width = options.width;
    const room = width - 2 * EDGE;
    if (extent <= room) {
      left = EDGE + Math.round(choices.place * (room - extent)) - start;
      break;
    }
    if (attempt >= 8 || layers.some((l) => l.height > canvasHeight - 2 * EDGE))
      throw new RangeError(`a ${count}-digit number does not fit on a ${width}x${canvasHeight} canvas`);
    shrink *= (0.98 * room) / extent;
  }

  const coverage = new Float32Array(width * canvasHeight);
  layers.forEach((layer, i) => {
    if (options.layer !== undefined && options.layer !== i) return;
    for (let row = 0; row < layer.height; row++) {
      for (let column = 0; column < layer.width; column++) {
        const at = (layer.y + row) * width + layer.x + left + column;
        const value = layer.coverage[row * layer.width + column] ?? 0;
        if (value > (coverage[at] ?? 0)) coverage[at] = value;
      }
    }
  });
  return {
    image: coverageToRgba(coverage, width, canvasHeight, {
      background: options.background,
      ink: options.ink,
    }),
    text,
    boxes: layers.map((l) => ({ x: l.x + left, y: l.y, width: l.width, height: l.height })),
  };
}
