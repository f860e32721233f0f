import type { Page } from 'playwright-core';

/** A point in glyph units: the digit is 1 high (y down from 0 at the top), x is 0 at its middle. */
type Point = readonly [number, number];
/** One pen-down movement; a digit is one or more. */
type Stroke = readonly Point[];

/** Elliptic arc from `from` to `to` degrees (0 = right, 90 = down), either direction. */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): Point[] {
  const steps = Math.max(4, Math.ceil(Math.abs(to - from) / 12));
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)] as const;
  });
}

/** How a person might draw each digit 0–9 on the pad, as polylines. */
export const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  [arc(0, 0.5, 0.27, 0.5, 260, -100)],
  [
    [
      [0.03, 0],
      [-0.03, 1],
    ],
  ],
  [
    [
      [-0.24, 0.22],
      [-0.16, 0.06],
      [0, 0],
      [0.16, 0.05],
      [0.23, 0.2],
      [0.2, 0.36],
      [0.05, 0.56],
      [-0.25, 0.98],
      [0.28, 0.98],
    ],
  ],
  [
    [
      [-0.22, 0.1],
      [-0.05, 0],
      [0.14, 0.02],
      [0.22, 0.14],
      [0.18, 0.3],
      [0.02, 0.44],
      [-0.06, 0.46],
      [0.12, 0.52],
      [0.24, 0.66],
      [0.22, 0.85],
      [0.06, 0.98],
      [-0.12, 0.98],
      [-0.25, 0.88],
    ],
  ],
  [
    [
      [0.1, 0],
      [-0.28, 0.64],
      [0.3, 0.64],
    ],
    [
      [0.14, 0],
      [0.12, 1],
    ],
  ],
  [
    [
      [-0.16, 0.02],
      [-0.2, 0.44],
      [-0.05, 0.38],
      [0.14, 0.42],
      [0.24, 0.58],
      [0.24, 0.78],
      [0.12, 0.95],
      [-0.06, 1],
      [-0.24, 0.92],
    ],
    [
      [-0.16, 0.02],
      [0.25, 0],
    ],
  ],
  [
    [
      [0.18, 0.02],
      [0, 0.15],
      [-0.15, 0.38],
      [-0.22, 0.62],
      [-0.18, 0.85],
      [-0.02, 0.99],
      [0.15, 0.95],
      [0.23, 0.78],
      [0.14, 0.6],
      [-0.04, 0.56],
      [-0.2, 0.66],
    ],
  ],
  [
    [
      [-0.25, 0.02],
      [0.27, 0],
      [-0.04, 1],
    ],
  ],
  [
    Array.from({ length: 37 }, (_, i) => {
      const t = (i / 36) * 2 * Math.PI;
      return [-0.25 * Math.sin(2 * t) * (1 - 0.2 * Math.cos(t)), 0.5 - 0.5 * Math.cos(t)] as const;
    }),
  ],
  [[...arc(0, 0.27, 0.22, 0.27, 10, -350), [0.21, 0.6], [0.18, 1]]],
];

/**
 * A five-pointed star drawn in one stroke: not a digit, and the model is not sure what it is
 * (about 0.6). Letters, boxes and crosses are no use here: a model that has seen real pen digits
 * reads them as a 0 or a 4 with confidence.
 */
export const STAR: readonly Stroke[] = [
  [
    [0, 0],
    [0.3, 1],
    [-0.48, 0.38],
    [0.48, 0.38],
    [-0.3, 1],
    [0, 0],
  ],
];

/** Where and how big a digit goes on the pad, and how much it leans. */
export interface DrawingStyle {
  name: string;
  /** Digit height as a fraction of the pad's side. */
  size: number;
  /** The digit's centre, as fractions of the pad's side. */
  centre: readonly [number, number];
  /** Forward lean: x moves by `slant` (glyph units) per unit of height upwards. */
  slant: number;
}

const CENTRED: DrawingStyle = { name: 'centred', size: 0.7, centre: [0.5, 0.5], slant: 0 };

/** Sizes, positions and slants people draw at. */
export const STYLES: readonly DrawingStyle[] = [
  CENTRED,
  { name: 'small, top left', size: 0.42, centre: [0.3, 0.32], slant: 0 },
  { name: 'large, slanted', size: 0.82, centre: [0.52, 0.5], slant: 0.25 },
  { name: 'bottom right, leaning', size: 0.5, centre: [0.66, 0.66], slant: 0.12 },
];

/** Draws `digit` (its strokes from {@link DIGIT_STROKES}) on the pad; returns the number of strokes. */
export function drawDigit(page: Page, digit: number, style: DrawingStyle = CENTRED): Promise<number> {
  const strokes = DIGIT_STROKES[digit];
  if (!strokes) throw new Error(`no strokes for digit ${digit}`);
  return drawStrokes(page, strokes, style);
}

/**
 * Draws strokes on the pad with the mouse (pointer events, as a person would), one mouse-down
 * per stroke, in small moves so the pad sees a continuous line. Returns the number of strokes.
 */
export async function drawStrokes(page: Page, strokes: readonly Stroke[], style: DrawingStyle = CENTRED) {
  const pad = page.locator('[data-testid="pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (!box) throw new Error('the pad is not visible');
  // The canvas has a 2 px border; its content is the box inside it.
  const side = box.width - 4;
  const toPage = ([x, y]: Point) => ({
    x: box.x + 2 + (style.centre[0] + (x + style.slant * (0.5 - y)) * style.size) * side,
    y: box.y + 2 + (style.centre[1] + (y - 0.5) * style.size) * side,
  });
  for (const stroke of strokes) await drawStroke(page, stroke.map(toPage));
  return strokes.length;
}

/** Draws one stroke through page points with the mouse, in moves of about 10 px. */
async function drawStroke(page: Page, points: ReadonlyArray<{ x: number; y: number }>): Promise<void> {
  const [first, ...rest] = points;
  if (!first) return;
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  let at = first;
  for (const next of rest) {
    const steps = Math.max(1, Math.ceil(Math.hypot(next.x - at.x, next.y - at.y) / 10));
    await page.mouse.move(next.x, next.y, { steps });
    at = next;
  }
  await page.mouse.up();
}

/**
 * Writes a number on the wide number pad (`data-testid="number-pad"`): each digit's strokes from
 * {@link DIGIT_STROKES}, `size` of the pad's height tall, the digits' centres spread evenly over
 * its width so that they stand well apart. Returns the number of strokes.
 */
export async function drawNumber(page: Page, digits: readonly number[], size = 0.7): Promise<number> {
  const pad = page.locator('[data-testid="number-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (!box) throw new Error('the number pad is not visible');
  // Inside the canvas's 2 px border.
  const width = box.width - 4;
  const height = box.height - 4;
  let count = 0;
  for (const [i, digit] of digits.entries()) {
    const strokes = DIGIT_STROKES[digit];
    if (!strokes) throw new Error(`no strokes for digit ${digit}`);
    const centre = { x: box.x + 2 + ((i + 0.5) / digits.length) * width, y: box.y + 2 + height / 2 };
    const toPage = ([x, y]: Point) => ({
      x: centre.x + x * size * height,
      y: centre.y + (y - 0.5) * size * height,
    });
    for (const stroke of strokes) {
      await drawStroke(page, stroke.map(toPage));
      count++;
    }
  }
  return count;
}
