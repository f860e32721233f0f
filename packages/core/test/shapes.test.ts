import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shapesOf } from '../src/numbers/shapes.js';

/** Whether two pixel indices of a `width`-wide map are 8-neighbours. */
function neighbours(a: number, b: number, width: number): boolean {
  const dx = Math.abs((a % width) - (b % width));
  const dy = Math.abs(Math.floor(a / width) - Math.floor(b / width));
  return a !== b && dx <= 1 && dy <= 1;
}

const inkMaps = fc
  .record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }) })
  .chain(({ width, height }) =>
    fc.record({
      width: fc.constant(width),
      height: fc.constant(height),
      ink: fc
        .array(fc.oneof(fc.constant(0), fc.float({ min: Math.fround(0.01), max: 1, noNaN: true })), {
          minLength: width * height,
          maxLength: width * height,
        })
        .map((values) => Float32Array.from(values)),
    }),
  );

describe('shapesOf', () => {
  it('splits the ink into its 8-connected shapes, in raster order', () => {
    fc.assert(
      fc.property(inkMaps, ({ width, height, ink }) => {
        const shapes = shapesOf(ink, width, height);
        // Every ink pixel in exactly one shape, and nothing else.
        const owner = new Int32Array(ink.length).fill(-1);
        shapes.forEach((pixels, s) => {
          for (const p of pixels) {
            expect(owner[p]).toBe(-1);
            expect(ink[p]).toBeGreaterThan(0);
            owner[p] = s;
          }
        });
        ink.forEach((v, p) => {
          expect((owner[p] ?? -1) >= 0).toBe(v > 0);
        });
        for (const [s, pixels] of shapes.entries()) {
          // Connected: a flood from its first pixel over its own pixels reaches them all.
          const reached = new Set([pixels[0]]);
          const queue = [pixels[0] as number];
          while (queue.length > 0) {
            const p = queue.pop() as number;
            for (const q of pixels) {
              if (!reached.has(q) && neighbours(p, q, width)) {
                reached.add(q);
                queue.push(q);
              }
            }
          }
          expect(reached.size).toBe(pixels.length);
          // Maximal: no pixel of another shape touches it.
          for (const p of pixels) {
            for (const q of [
              p - width - 1,
              p - width,
              p - width + 1,
              p - 1,
              p + 1,
              p + width - 1,
              p + width,
              p + width + 1,
            ]) {
              if (q >= 0 && q < ink.length && neighbours(p, q, width) && (owner[q] ?? -1) >= 0)
                expect(owner[q]).toBe(s);
            }
          }
          // Its pixels in raster order; the shapes ordered by their first pixel.
          expect([...pixels]).toEqual([...pixels].sort((a, b) => a - b));
          if (s > 0) expect(pixels[0]).toBeGreaterThan((shapes[s - 1] as Int32Array)[0] as number);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('joins shapes that touch only at a corner, and keeps apart those a column apart', () => {
    // Row 0: ink at x 0; row 1: ink at x 1 (diagonal); row 0 also at x 3 (a gap of one column).
    const ink = Float32Array.from([1, 0, 0, 1, 0, 1, 0, 0]);
    expect(shapesOf(ink, 4, 2).map((s) => [...s])).toEqual([[0, 5], [3]]);
  });
});
