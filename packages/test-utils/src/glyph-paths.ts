/** A point in glyph units: the digit is 1 high (y down from 0 at the top), x is 0 at its middle. */
export type Point = readonly [number, number];
/** One pen-down movement. */
export type Stroke = readonly Point[];

/** Pairs of numbers as points: `pairs(x0, y0, x1, y1, …)`. */
function pairs(coordinates: number[]): Point[] {
  return Array.from({ length: coordinates.length >> 1 }, (_, i) => [
    coordinates[2 * i] ?? 0,
    coordinates[2 * i + 1] ?? 0,
  ]);
}

/** Straight segments through the points `x0, y0, x1, y1, …`. */
export const line = (...coordinates: number[]): Point[] => pairs(coordinates);

/** A smooth (Catmull-Rom) curve through the points `x0, y0, x1, y1, …`. */
export function curve(...coordinates: number[]): Point[] {
  const points = pairs(coordinates);
  const at = (i: number) => points[Math.max(0, Math.min(points.length - 1, i))] ?? [0, 0];
  const out: Point[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    for (let s = 0; s < 8; s++) {
      const t = s / 8;
      const blend = (a: number, b: number, c: number, d: number) =>
        0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t * t + (3 * b - a - 3 * c + d) * t ** 3);
      out.push([blend(p0[0], p1[0], p2[0], p3[0]), blend(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(at(points.length - 1));
  return out;
}

/** Elliptic arc from `from` to `to` degrees (0 = right, 90 = down), either direction. */
export function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): Point[] {
  const steps = Math.max(4, Math.ceil(Math.abs(to - from) / 8));
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)] as const;
  });
}
