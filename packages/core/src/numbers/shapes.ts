import type { Rect } from '../preprocess/resample.js';

/**
 * The connected shapes (8-connected) of the ink, each as its pixel indices, by flood fill.
 */
export function shapesOf(ink: Float32Array, width: number, height: number): Int32Array[] {
  const seen = new Uint8Array(ink.length);
  const stack = new Int32Array(ink.length);
  const shapes: Int32Array[] = [];
  for (let start = 0; start < ink.length; start++) {
    if (seen[start] || !(ink[start] ?? 0)) continue;
    let top = 0;
    let count = 0;
    const pixels: number[] = [];
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top] ?? 0;
      pixels.push(p);
      count++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (!seen[q] && (ink[q] ?? 0) > 0) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    if (count > 0) shapes.push(Int32Array.from(pixels));
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
