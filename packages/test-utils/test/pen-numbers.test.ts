import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@crazy-digits/core/training';
import { describe, expect, it } from 'vitest';
import {
  byWriter,
  type DrawnNumber,
  drawMnistNumber,
  drawPenNumber,
  drawStrokes,
  type InkBox,
  loadMnist,
  loadPenDigits,
  mnistDigit,
  type NumberSpacing,
  type PenDigit,
  splitWriters,
} from '../src/index.js';

type Image = DrawnNumber['image'];

/** The real-writer development set, beside the repository's checkout (it may be absent). */
const PEN_DATA = fileURLToPath(
  new URL('../../../../shared/data/unipen-dev/digits.jsonl.gz', import.meta.url),
);

const samePixels = (a: Image, b: Image) =>
  a.width === b.width &&
  a.height === b.height &&
  Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer));

/** Ink alpha (0–255) of a transparent-background drawing at (x, y); 0 off the canvas. */
const alpha = (image: Image, x: number, y: number) =>
  x < 0 || y < 0 || x >= image.width || y >= image.height
    ? 0
    : (image.data[(y * image.width + x) * 4 + 3] ?? 0);

/** The smallest rectangle holding every inked pixel of a transparent-background drawing. */
function inkBox(image: Image): InkBox | undefined {
  let [left, top, right, bottom] = [image.width, image.height, -1, -1];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (alpha(image, x, y) === 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? undefined : { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * Whether the ink cores (pixels at least half inked) of two drawings overlap or share an edge,
 * with `b` moved `shift` px to the right.
 */
function coresTouch(a: Image, b: Image, shift = 0): boolean {
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if (alpha(b, x, y) < 128) continue;
      const u = x + shift;
      if (
        alpha(a, u, y) >= 128 ||
        alpha(a, u - 1, y) >= 128 ||
        alpha(a, u + 1, y) >= 128 ||
        alpha(a, u, y - 1) >= 128 ||
        alpha(a, u, y + 1) >= 128
      )
        return true;
    }
  }
  return false;
}

/** Whether any pixel is inked in both transparent-background drawings. */
function inksOverlap(a: Image, b: Image): boolean {
  for (let i = 3; i < a.data.length; i += 4) if ((a.data[i] ?? 0) > 0 && (b.data[i] ?? 0) > 0) return true;
  return false;
}

/**
 * Draws a number whole (on a transparent canvas) and each digit alone where the number puts it,
 * and checks what every spacing promises: boxes left to right, inside the canvas, each the true
 * ink box of its digit, and the whole drawing the union of the digits' ink.
 */
function checkNumber(
  draw: (seed: number, layer?: number) => DrawnNumber,
  seed: number,
  spacing: NumberSpacing,
) {
  const whole = draw(seed);
  const { image, boxes } = whole;
  const layers = boxes.map((_, i) => draw(seed, i).image);
  expect(image.height).toBe(280);
  expect(image.data.length).toBe(image.width * image.height * 4);
  boxes.forEach((box, i) => {
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(image.width);
    expect(box.y + box.height).toBeLessThanOrEqual(image.height);
    expect(inkBox(layers[i] as Image), `box of digit ${i}`).toEqual(box);
    const previous = boxes[i - 1];
    if (previous !== undefined) expect(box.x).toBeGreaterThan(previous.x);
  });
  // The whole drawing is its digits' ink and nothing else: each pixel as inked as its inkiest digit.
  let notUnion = 0;
  for (let i = 3; i < image.data.length; i += 4) {
    let inkiest = 0;
    for (const layer of layers) inkiest = Math.max(inkiest, layer.data[i] ?? 0);
    if (image.data[i] !== inkiest) notUnion++;
  }
  expect(notUnion, 'pixels not as inked as their inkiest digit').toBe(0);

  for (let i = 1; i < boxes.length; i++) {
    const [a, b] = [boxes[i - 1] as InkBox, boxes[i] as InkBox];
    const [inkA, inkB] = [layers[i - 1] as Image, layers[i] as Image];
    const gap = b.x - (a.x + a.width);
    if (spacing === 'separate') {
      expect(gap, `gap before digit ${i}`).toBeGreaterThanOrEqual(0.1 * Math.max(a.height, b.height));
      expect(gap).toBeLessThanOrEqual(0.6 * Math.max(a.height, b.height) + 1);
      expect(inksOverlap(inkA, inkB)).toBe(false);
    } else if (spacing === 'touching') {
      // Touching, and only just: one pixel further right and they would not.
      expect(coresTouch(inkA, inkB), `digits ${i - 1} and ${i} touch`).toBe(true);
      expect(coresTouch(inkA, inkB, 1), `digits ${i - 1} and ${i} only just touch`).toBe(false);
    } else {
      expect(-gap, `overlap before digit ${i}`).toBeGreaterThanOrEqual(1);
      expect(-gap).toBeLessThanOrEqual(Math.max(1, 0.1 * Math.min(a.width, b.width) + 0.5));
    }
  }
  return whole;
}

const SPACINGS = ['separate', 'touching', 'overlapping'] as const;

describe('drawMnistNumber', () => {
  const mnist = loadMnist('test', 200);
  /** Number `seed`: 2–6 MNIST test digits picked by the seed. */
  const pick = (seed: number) => {
    const random = seededRandom(1000 + seed);
    const indices = Array.from({ length: 2 + (seed % 5) }, () => Math.floor(random() * mnist.count));
    return {
      digits: indices.map((i) => mnistDigit(mnist, i)),
      labels: indices.map((i) => mnist.labels[i] ?? -1),
    };
  };

  for (const spacing of SPACINGS) {
    it(`lays out numbers with ${spacing} digits as it promises`, () => {
      for (let seed = 0; seed < 6; seed++) {
        const { digits, labels } = pick(seed);
        const drawn = checkNumber(
          (s, layer) =>
            drawMnistNumber(digits, {
              spacing,
              background: 'transparent',
              random: seededRandom(s),
              labels,
              layer,
            }),
          seed,
          spacing,
        );
        expect(drawn.text).toBe(labels.join(''));
        expect(drawn.boxes).toHaveLength(digits.length);
        // Digits 45–75% of the height (±4% each), plus the stroke's spread past MNIST's ink.
        for (const box of drawn.boxes) {
          expect(box.height).toBeGreaterThan(0.4 * 280);
          expect(box.height).toBeLessThan(0.85 * 280);
        }
      }
    });
  }

  it('gives the same drawing for the same seed, another for another seed', () => {
    const { digits, labels } = pick(3);
    const draw = (seed: number) =>
      drawMnistNumber(digits, {
        spacing: 'touching',
        background: 'dark-on-white',
        random: seededRandom(seed),
        labels,
      });
    const first = draw(42);
    expect(samePixels(draw(42).image, first.image)).toBe(true);
    expect(draw(42).boxes).toEqual(first.boxes);
    expect(samePixels(draw(43).image, first.image)).toBe(false);
  });

  it('draws dark ink on opaque white, or ink as alpha on a transparent canvas', () => {
    const { digits, labels } = pick(1);
    const options = { spacing: 'separate' as const, random: seededRandom(5), labels };
    const white = drawMnistNumber(digits, { ...options, background: 'dark-on-white' }).image;
    options.random = seededRandom(5);
    const clear = drawMnistNumber(digits, {
      ...options,
      background: 'transparent',
      ink: [200, 10, 30],
    }).image;
    let [inked, notOpaque, notGrey, notInkColour, unlike] = [0, 0, 0, 0, 0];
    for (let i = 0; i < white.data.length; i += 4) {
      const [red, green, blue, opacity] = [
        white.data[i],
        white.data[i + 1],
        white.data[i + 2],
        white.data[i + 3],
      ];
      if (opacity !== 255) notOpaque++;
      if (red !== green || red !== blue) notGrey++;
      if (clear.data[i] !== 200 || clear.data[i + 1] !== 10 || clear.data[i + 2] !== 30) notInkColour++;
      // The same ink: darkness on white is alpha on transparent (each rounded on its own).
      if (Math.abs(255 - (red ?? 0) - (clear.data[i + 3] ?? 0)) > 1) unlike++;
      if ((clear.data[i + 3] ?? 0) > 0) inked++;
    }
    expect({ notOpaque, notGrey, notInkColour, unlike }).toEqual({
      notOpaque: 0,
      notGrey: 0,
      notInkColour: 0,
      unlike: 0,
    });
    expect(inked).toBeGreaterThan(1000);
  });

  it('fits a number on a canvas of given width, shrinking its digits when they do not fit', () => {
    const { digits, labels } = pick(4); // six digits
    const roomy = drawMnistNumber(digits.slice(0, 4), {
      spacing: 'separate',
      background: 'transparent',
      random: seededRandom(8),
      labels: labels.slice(0, 4),
      width: 1400,
    });
    expect(roomy.image.width).toBe(1400);
    const tight = drawMnistNumber(digits, {
      spacing: 'separate',
      background: 'transparent',
      random: seededRandom(8),
      labels,
      width: 600,
    });
    expect(tight.image.width).toBe(600);
    expect(Math.max(...tight.boxes.map((b) => b.x + b.width))).toBeLessThanOrEqual(600);
    expect(Math.max(...tight.boxes.map((b) => b.height))).toBeLessThan(
      Math.max(...roomy.boxes.map((b) => b.height)),
    );
  });

  it('refuses labels that do not match the digits', () => {
    const { digits } = pick(0);
    expect(() =>
      drawMnistNumber(digits, {
        spacing: 'separate',
        background: 'transparent',
        random: seededRandom(1),
        labels: [1],
      }),
    ).toThrow(RangeError);
  });
});

describe('drawStrokes on a canvas that is not square', () => {
  it('draws the same ink as on a square canvas, cropped to the width and height', () => {
    const strokes = [
      [
        [20, 30],
        [150, 90],
        [60, 200],
      ] as const,
    ];
    const square = drawStrokes(strokes, { radius: 6, side: 280 });
    const wide = drawStrokes(strokes, { radius: 6, width: 400, height: 120 });
    expect([wide.width, wide.height]).toEqual([400, 120]);
    let differ = 0;
    let inked = 0;
    for (let y = 0; y < 120; y++) {
      for (let x = 0; x < 400; x++) {
        const value = wide.data[(y * 400 + x) * 4];
        if (value !== (x < 280 ? square.data[(y * 280 + x) * 4] : 255)) differ++;
        if (value !== 255) inked++;
      }
    }
    expect(differ).toBe(0);
    expect(inked).toBeGreaterThan(500);
  });
});

const penReason = existsSync(PEN_DATA)
  ? 'real pen digits'
  : `skipped: no real-writer data at ${PEN_DATA} (the UNIPEN dev set beside the checkout)`;

describe.skipIf(!existsSync(PEN_DATA))(`drawPenNumber (${penReason})`, () => {
  const load = () => {
    const all = loadPenDigits(PEN_DATA);
    const writers = byWriter(all);
    return splitWriters(all).heldOut.map((name) => writers.get(name) ?? []);
  };
  const own = existsSync(PEN_DATA) ? load() : [];
  /** Number `seed`: 2–6 digits of one held-out writer. */
  const pick = (seed: number): PenDigit[] => {
    const random = seededRandom(2000 + seed);
    const digits = own[seed % own.length] ?? [];
    return Array.from(
      { length: 2 + (seed % 5) },
      () => digits[Math.floor(random() * digits.length)] as PenDigit,
    );
  };

  for (const spacing of SPACINGS) {
    it(`lays out one writer's numbers with ${spacing} digits as it promises`, () => {
      for (let seed = 0; seed < 8; seed++) {
        const digits = pick(seed);
        const drawn = checkNumber(
          (s, layer) =>
            drawPenNumber(digits, { spacing, background: 'transparent', random: seededRandom(s), layer }),
          seed,
          spacing,
        );
        expect(drawn.text).toBe(digits.map((d) => d.label).join(''));
        // The pen centre line 45–75% of the height (±4%), plus a 16–20 px pen; flat digits are capped.
        const heights = drawn.boxes.map((b) => b.height).sort((a, b) => a - b);
        const median = heights[Math.floor(heights.length / 2)] ?? 0;
        expect(median).toBeGreaterThanOrEqual(0.43 * 280 + 16);
        expect(median).toBeLessThanOrEqual(0.8 * 280 + 22);
      }
    });
  }

  it('gives the same drawing for the same seed, another for another seed', () => {
    const digits = pick(4);
    const draw = (seed: number) =>
      drawPenNumber(digits, {
        spacing: 'overlapping',
        background: 'dark-on-white',
        random: seededRandom(seed),
      });
    const first = draw(7);
    expect(samePixels(draw(7).image, first.image)).toBe(true);
    expect(samePixels(draw(8).image, first.image)).toBe(false);
  });

  it('fits four separate digits on an 840x280 canvas', () => {
    for (let seed = 0; seed < 5; seed++) {
      const digits = pick(5 * seed + 2); // four digits
      expect(digits).toHaveLength(4);
      const { image, boxes } = drawPenNumber(digits, {
        spacing: 'separate',
        background: 'transparent',
        random: seededRandom(seed),
        width: 840,
      });
      expect([image.width, image.height]).toEqual([840, 280]);
      expect(inkBox(image)).toEqual({
        x: boxes[0]?.x,
        y: Math.min(...boxes.map((b) => b.y)),
        width: Math.max(...boxes.map((b) => b.x + b.width)) - (boxes[0]?.x ?? 0),
        height: Math.max(...boxes.map((b) => b.y + b.height)) - Math.min(...boxes.map((b) => b.y)),
      });
    }
  });
});
