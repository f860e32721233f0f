import { gaussian, type Random } from '@crazy-digits/core/training';
import { drawStrokes } from './canvas.js';
import type { Point } from './glyph-paths.js';
import { glyphs } from './glyphs.js';
import type { WriterStyle } from './writer-style.js';

/** An RGBA canvas drawing, as `getImageData` returns it (the core `RgbaImage` input). */
export interface WriterImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const SIDE = 280;

/**
 * One sample of `digit` in `style` on a white 280x280 canvas: the writer's template, distorted a
 * little, slanted, placed and drawn, with `random` choosing this sample's jitter.
 */
export function drawSample(style: WriterStyle, digit: number, random: Random): WriterImage {
  const variants = glyphs[digit];
  if (!Number.isInteger(digit) || !variants) throw new RangeError(`digit must be 0–9, got ${digit}`);
  const template = variants[style.glyphs[digit] ?? ''] ?? [];

  // A smooth random displacement field: the whole shape bends a little differently each time,
  // as a hand does, instead of every point trembling on its own.
  const waves = Array.from({ length: 4 }, () => ({
    frequency: 2 + 3 * random(),
    phase: 2 * Math.PI * random(),
    alongX: random() < 0.5,
    amplitude: style.wobble * (0.5 + random()),
  }));
  const slant = style.slant + 0.08 * gaussian(random);
  const widthScale = style.widthScale * (1 + 0.1 * gaussian(random));
  const rotation = style.rotation + 0.07 * gaussian(random);
  const height = SIDE * style.size * (1 + 0.08 * gaussian(random));
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);

  const strokes = template.map((stroke) => {
    // Separate strokes land a little off each other (a 4's bar, a 7's cross, a 5's flag).
    const offsetX = 0.03 * gaussian(random);
    const offsetY = 0.03 * gaussian(random);
    return stroke.map(([x, y]): Point => {
      let u = x;
      let v = y;
      for (const wave of waves) {
        const shift = wave.amplitude * Math.sin(wave.frequency * (wave.alongX ? y : x) + wave.phase);
        if (wave.alongX) u += shift;
        else v += shift;
      }
      u = (u + offsetX) * widthScale + slant * (0.5 - v);
      v = v + offsetY - 0.5;
      return [(u * cos - v * sin) * height, (u * sin + v * cos) * height];
    });
  });

  // Place the digit where the writer habitually writes, kept wholly on the canvas.
  const radius = Math.max(1, (style.strokeWidth * height) / 2);
  const xs = strokes.flatMap((s) => s.map((p) => p[0]));
  const ys = strokes.flatMap((s) => s.map((p) => p[1]));
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = radius + 2;
  const place = (habit: number, min: number, max: number) => {
    const centre = SIDE * (habit + 0.04 * gaussian(random));
    const low = margin - min;
    const high = SIDE - margin - max;
    return low > high ? (low + high) / 2 : Math.min(high, Math.max(low, centre - (min + max) / 2));
  };
  const dx = place(style.centre.x, minX, maxX);
  const dy = place(style.centre.y, minY, maxY);
  const placed = strokes.map((stroke) => stroke.map(([x, y]): Point => [x + dx, y + dy]));
  const shade = Math.floor(40 * random());
  return drawStrokes(placed, { radius: radius * (1 + 0.12 * gaussian(random)), ink: [shade, shade, shade] });
}
