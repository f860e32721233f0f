/** How a synthetic canvas drawing is rendered from a 28x28 digit. */
export interface CanvasDrawingOptions {
  /** Canvas side in pixels (square canvas). Default 280. */
  side?: number;
  /** The digit's longer side as a fraction of the canvas side. Default 0.7. */
  size?: number;
  /** Where the digit's centre goes, as fractions of the canvas side (clamped so it stays inside). Default 0.5, 0.5. */
  centre?: { x: number; y: number };
  /** Rotation in radians, clockwise. Default 0. */
  rotation?: number;
  /**
   * Stroke level: the iso-line of the upscaled digit that becomes the stroke edge. Lower is
   * thicker (0.15 ≈ a fat marker), higher is thinner (0.7 ≈ a fine pen). Default 0.45.
   */
  level?: number;
  /** `'dark-on-white'`: opaque canvas, black ink; `'transparent'`: ink as alpha over transparent. */
  background?: 'dark-on-white' | 'transparent';
  /** Ink colour for the transparent background, RGB bytes. Default black. */
  inkColour?: [number, number, number];
}

/** The 28x28 digit's value at (x, y) in pixel-centre coordinates, bilinearly; 0 outside. */
export function bilinear(digit: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (cx: number, cy: number) =>
    cx < 0 || cy < 0 || cx > 27 || cy > 27 ? 0 : (digit[cy * 28 + cx] ?? 0);
  return (
    at(x0, y0) * (1 - fx) * (1 - fy) +
    at(x0 + 1, y0) * fx * (1 - fy) +
    at(x0, y0 + 1) * (1 - fx) * fy +
    at(x0 + 1, y0 + 1) * fx * fy
  );
}

/** Bounding box of the ink (> 0.1) in a 28x28 digit, in pixel-centre coordinates. */
function inkBox(digit: Float32Array) {
  let minX = 28;
  let minY = 28;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if ((digit[y * 28 + x] ?? 0) > 0.1) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  if (maxX < 0) return { cx: 13.5, cy: 13.5, longer: 20 };
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, longer: Math.max(maxX - minX, maxY - minY) + 1 };
}

/**
 * Re-draws a 28x28 MNIST digit (floats 0–1, white ink on black) as a person's canvas drawing
 * would arrive from `getImageData`: enlarged with smooth anti-aliased strokes, at a chosen size,
 * position, rotation and stroke weight, as RGBA on white or on a transparent background.
 */
export function drawDigitOnCanvas(
  digit: Float32Array,
  options: CanvasDrawingOptions = {},
): { data: Uint8ClampedArray; width: number; height: number } {
  const side = options.side ?? 280;
  const level = options.level ?? 0.45;
  const background = options.background ?? 'dark-on-white';
  const [red, green, blue] = options.inkColour ?? [0, 0, 0];
  const box = inkBox(digit);
  const scale = ((options.size ?? 0.7) * side) / box.longer; // canvas px per digit px
  const half = ((box.longer + 1) * scale) / 2;
  const centreX = Math.min(side - half, Math.max(half, (options.centre?.x ?? 0.5) * side));
  const centreY = Math.min(side - half, Math.max(half, (options.centre?.y ?? 0.5) * side));
  const cos = Math.cos(-(options.rotation ?? 0));
  const sin = Math.sin(-(options.rotation ?? 0));
  // Edge softness of about one canvas pixel, like a canvas's anti-aliased stroke.
  const softness = Math.max(0.02, 1 / scale);

  const data = new Uint8ClampedArray(side * side * 4);
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      const dx = (px + 0.5 - centreX) / scale;
      const dy = (py + 0.5 - centreY) / scale;
      const value = bilinear(digit, box.cx + dx * cos - dy * sin, box.cy + dx * sin + dy * cos);
      const ink = Math.min(1, Math.max(0, (value - level) / softness + 0.5));
      const at = (py * side + px) * 4;
      if (background === 'dark-on-white') {
        const shade = Math.round(255 * (1 - ink));
        data[at] = shade;
        data[at + 1] = shade;
        data[at + 2] = shade;
        data[at + 3] = 255;
      } else {
        data[at] = red;
        data[at + 1] = green;
        data[at + 2] = blue;
        data[at + 3] = Math.round(255 * ink);
      }
    }
  }
  return { data, width: side, height: side };
}

/**
 * The canvas benchmark's drawing conditions for one digit: size 40–90% of a 280 px canvas, a
 * random position, stroke from thick to thin, a slight rotation (±0.15 rad), and half as black
 * ink on opaque white, half as ink of a random colour on a transparent background.
 */
export function canvasBenchmarkOptions(random: () => number): CanvasDrawingOptions {
  const size = 0.4 + 0.5 * random();
  const free = 1 - size;
  return {
    side: 280,
    size,
    centre: { x: size / 2 + free * random(), y: size / 2 + free * random() },
    level: 0.25 + 0.4 * random(),
    rotation: (random() - 0.5) * 0.3,
    ...(random() < 0.5
      ? { background: 'dark-on-white' as const }
      : {
          background: 'transparent' as const,
          inkColour: [Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256)] as [
            number,
            number,
            number,
          ],
        }),
  };
}

/** A pen-down trajectory in canvas pixels: `[x, y]` points, y growing downward. */
export type PenStroke = ReadonlyArray<readonly [number, number]>;

/** How {@link drawStrokes} draws. */
export interface StrokeDrawingOptions {
  /** Canvas side in pixels (square canvas). Default 280. */
  side?: number;
  /** Canvas width in pixels, for a canvas that is not square. Default `side`. */
  width?: number;
  /** Canvas height in pixels, for a canvas that is not square. Default `side`. */
  height?: number;
  /** Half the pen width, in pixels. */
  radius: number;
  /** `'dark-on-white'` (default): opaque white canvas; `'transparent'`: ink as alpha over transparent. */
  background?: 'dark-on-white' | 'transparent';
  /** Ink colour, RGB bytes. Default black. */
  ink?: readonly [number, number, number];
}

/** Squared distance from (px, py) to the segment a–b. */
function segmentDistance2(
  px: number,
  py: number,
  a: readonly [number, number],
  b: readonly [number, number],
) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / length2));
  const ex = px - (a[0] + t * dx);
  const ey = py - (a[1] + t * dy);
  return ex * ex + ey * ey;
}

/**
 * How much pen ink (0–1) covers each pixel of a `width` x `height` canvas, row by row: every
 * pixel within `radius` of a segment is ink, anti-aliased over about one pixel; where strokes
 * cross, the larger coverage wins. A one-point stroke is a dot.
 */
export function strokeCoverage(
  strokes: readonly PenStroke[],
  radius: number,
  width: number,
  height: number,
): Float32Array {
  const coverage = new Float32Array(width * height);
  for (const stroke of strokes) {
    for (let i = 0; i < Math.max(1, stroke.length - 1); i++) {
      const a = stroke[i] ?? [0, 0];
      const b = stroke[i + 1] ?? a;
      const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - radius - 1));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + radius + 1));
      const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - radius - 1));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + radius + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const distance = Math.sqrt(segmentDistance2(x + 0.5, y + 0.5, a, b));
          const value = Math.min(1, Math.max(0, radius + 0.5 - distance));
          if (value > (coverage[y * width + x] ?? 0)) coverage[y * width + x] = value;
        }
      }
    }
  }
  return coverage;
}

/**
 * Ink coverage (0–1 a pixel, row by row) as the RGBA pixels `getImageData` would give: on an
 * opaque white canvas by default, or as ink alpha over a transparent one.
 */
export function coverageToRgba(
  coverage: Float32Array,
  width: number,
  height: number,
  options: { background?: 'dark-on-white' | 'transparent'; ink?: readonly [number, number, number] } = {},
): { data: Uint8ClampedArray; width: number; height: number } {
  const [red, green, blue] = options.ink ?? [0, 0, 0];
  const data = new Uint8ClampedArray(width * height * 4);
  const transparent = options.background === 'transparent';
  for (let i = 0; i < width * height; i++) {
    const ink = coverage[i] ?? 0;
    if (transparent) {
      data[i * 4] = red;
      data[i * 4 + 1] = green;
      data[i * 4 + 2] = blue;
      data[i * 4 + 3] = Math.round(255 * ink);
    } else {
      data[i * 4] = Math.round(255 - (255 - red) * ink);
      data[i * 4 + 1] = Math.round(255 - (255 - green) * ink);
      data[i * 4 + 2] = Math.round(255 - (255 - blue) * ink);
      data[i * 4 + 3] = 255;
    }
  }
  return { data, width, height };
}

/**
 * Draws pen strokes as a browser canvas does with `lineCap` and `lineJoin` `'round'`: every
 * pixel within `radius` of a segment is ink, anti-aliased over about one pixel; a one-point
 * stroke is a dot. Returns RGBA pixels as `getImageData` would.
 */
export function drawStrokes(
  strokes: readonly PenStroke[],
  options: StrokeDrawingOptions,
): { data: Uint8ClampedArray; width: number; height: number } {
  const width = options.width ?? options.side ?? 280;
  const height = options.height ?? options.side ?? 280;
  return coverageToRgba(strokeCoverage(strokes, options.radius, width, height), width, height, {
    background: options.background,
    ink: options.ink,
  });
}
