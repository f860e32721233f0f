import type { Rect } from '../preprocess/resample.js';

/** `from` copied into an array twice as long. */
function grown(from: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const to = new Int32Array(from.length * 2);
  to.set(from);
  return to;
}

/**
 * The connected shapes (8-connected) of the ink, each as its pixel indices in raster order,
 * ordered by their first pixel in raster order. Labelled by runs: each row's runs of ink are
 * joined (union-find) to the runs they touch in the row above, so the work goes with the number
 * of runs, not of pixels (a pen stroke is one run per row across).
 */
export function shapesOf(ink: Float32Array, width: number, height: number): Int32Array[] {
  // Each run: its start index into the map and its end (exclusive), in raster order.
  let starts = new Int32Array(1024);
  let ends = new Int32Array(1024);
  let parent = new Int32Array(1024);
  // A run's root, halving the path to it on the way.
  const find = (i: number): number => {
    let at = i;
    while (parent[at] !== at) {
      parent[at] = parent[parent[at] ?? at] ?? at;
      at = parent[at] ?? at;
    }
    return at;
  };
  let run = 0;
  let above = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const first = run;
    for (let x = 0; x < width; x++) {
      if (!((ink[row + x] ?? 0) > 0)) continue;
      const start = x;
      while (x < width && (ink[row + x] ?? 0) > 0) x++;
      if (run === starts.length) {
        starts = grown(starts);
        ends = grown(ends);
        parent = grown(parent);
      }
      starts[run] = row + start;
      ends[run] = row + x;
      parent[run] = run;
      // Runs of the row above that this one touches, diagonals included.
      for (let k = above; k < first; k++) {
        const from = (starts[k] ?? 0) - (row - width);
        const to = (ends[k] ?? 0) - (row - width);
        if (to < start) {
          above = k + 1;
          continue;
        }
        if (from > x) break;
        const a = find(run);
        const b = find(k);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
      run++;
    }
    above = first;
  }
  // A shape per root, numbered by its first run; pixels gathered run by run.
  const shapeOf = new Int32Array(run);
  const sizes: number[] = [];
  for (let i = 0; i < run; i++) {
    const root = find(i);
    if (root === i) {
      shapeOf[i] = sizes.length;
      sizes.push(0);
    } else shapeOf[i] = shapeOf[root] ?? 0;
    const shape = shapeOf[i] ?? 0;
    sizes[shape] = (sizes[shape] ?? 0) + (ends[i] ?? 0) - (starts[i] ?? 0);
  }
  const shapes = sizes.map((size) => new Int32Array(size));
  const filled = new Int32Array(sizes.length);
  for (let i = 0; i < run; i++) {
    const shape = shapeOf[i] ?? 0;
    const pixels = shapes[shape] as Int32Array;
    let at = filled[shape] ?? 0;
    for (let p = starts[i] ?? 0; p < (ends[i] ?? 0); p++) pixels[at++] = p;
    filled[shape] = at;
  }
  return shapes;
}

export function boxOf(pixels: Int32Array, width: number): Rect {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = -1;
  let maxY = -1;
  for (const p of pixels) {
    const x = p % width;
    const y = (p - x) / width;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** The pen's width: the median length of the ink's vertical runs. */
export function strokeWidthOf(ink: Float32Array, width: number, height: number): number {
  const runs: number[] = [];
  for (let x = 0; x < width; x += 2) {
    let run = 0;
    for (let y = 0; y <= height; y++) {
      if (y < height && (ink[y * width + x] ?? 0) > 0) run++;
      else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
  }
  runs.sort((a, b) => a - b);
  return Math.max(1, runs[runs.length >> 1] ?? 1);
}
