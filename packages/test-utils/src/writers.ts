import { gaussian, type Random, seededRandom } from '../../core/src/training/random.js';
import { drawStrokes } from './canvas.js';

/** A point in glyph units: the digit is 1 high (y down from 0 at the top), x is 0 at its middle. */
type Point = readonly [number, number];
/** One pen-down movement. */
type Stroke = readonly Point[];

/** An RGBA canvas drawing, as `getImageData` returns it (the core `RgbaImage` input). */
export interface WriterImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** One handwritten digit with its true label. */
export interface WrittenDigit {
  digit: number;
  image: WriterImage;
}

/** A writer's habits, fixed by the writer's seed. */
export interface WriterStyle {
  /** Forward lean as a shear: x moves by `slant` per unit of height upwards (0.3 ≈ 17°). */
  slant: number;
  /** Width of the glyphs relative to a typical hand (below 1 narrow, above 1 wide). */
  widthScale: number;
  /** Pen width as a fraction of the digit's height. */
  strokeWidth: number;
  /** Digit height as a fraction of the canvas side. */
  size: number;
  /** Where on the canvas the writer tends to put the digit, fractions of the side. */
  centre: { x: number; y: number };
  /** Habitual tilt of the whole digit in radians, clockwise. */
  rotation: number;
  /** How much each sample's shape wanders from the writer's template, in glyph units. */
  wobble: number;
  /** The glyph variant the writer uses for each digit 0–9 (names from {@link glyphVariants}). */
  glyphs: readonly string[];
}

/** A simulated person with a consistent handwriting. Deterministic: same seeds, same pixels. */
export interface Writer {
  readonly seed: number;
  readonly style: WriterStyle;
  /** One sample of `digit` (0–9) on a 280x280 white canvas; `sampleSeed` picks the jitter. */
  draw(digit: number, sampleSeed: number): WriterImage;
  /** `count` samples, digits drawn uniformly at random from `seed`. */
  stream(count: number, seed: number): WrittenDigit[];
}

const SIDE = 280;

/** Pairs of numbers as points: `pairs(x0, y0, x1, y1, …)`. */
function pairs(coordinates: number[]): Point[] {
  return Array.from({ length: coordinates.length >> 1 }, (_, i) => [
    coordinates[2 * i] ?? 0,
    coordinates[2 * i + 1] ?? 0,
  ]);
}

/** Straight segments through the points `x0, y0, x1, y1, …`. */
const line = (...coordinates: number[]): Point[] => pairs(coordinates);

/** A smooth (Catmull-Rom) curve through the points `x0, y0, x1, y1, …`. */
function curve(...coordinates: number[]): Point[] {
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
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): Point[] {
  const steps = Math.max(4, Math.ceil(Math.abs(to - from) / 8));
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)] as const;
  });
}

const zero = arc(0, 0.5, 0.26, 0.5, 265, -105);
const nineLoop = arc(0, 0.27, 0.22, 0.27, 10, -350);
const fiveBelly = curve(-0.2, 0.42, 0.05, 0.36, 0.24, 0.54, 0.22, 0.8, 0.02, 0.99, -0.24, 0.9);

/** Stroke templates per digit 0–9, by variant name; each template is an array of strokes. */
type Glyphs = ReadonlyArray<Readonly<Record<string, Stroke[]>>>;

/**
 * Forms people commonly draw, the first of each digit the plain one. The shipped model reads
 * nearly all of them right, even the less American ones (crossed 7s, open 4s, looped 2s).
 */
const usualForms: Glyphs = [
  {
    oval: [zero],
    narrow: [arc(0, 0.5, 0.15, 0.5, 265, -100)],
    'open-top': [arc(0, 0.5, 0.26, 0.5, 290, -50)],
    dotted: [zero, line(-0.015, 0.5, 0.015, 0.5)],
    slashed: [zero, line(0.26, -0.02, -0.26, 1.02)],
  },
  {
    stick: [line(0.02, 0, -0.02, 1)],
    serif: [line(-0.22, 0.3, 0.05, 0, 0.01, 1), line(-0.2, 1, 0.22, 1)],
  },
  {
    plain: [
      [...curve(-0.24, 0.22, -0.04, 0.01, 0.2, 0.08, 0.22, 0.32, 0.02, 0.62, -0.25, 0.98), [0.28, 0.97]],
    ],
    loop: [
      curve(
        -0.24,
        0.22,
        -0.04,
        0.01,
        0.2,
        0.08,
        0.22,
        0.32,
        0.02,
        0.62,
        -0.2,
        0.9,
        -0.24,
        0.78,
        -0.1,
        0.8,
        0.02,
        0.97,
        0.3,
        0.96,
      ),
    ],
    angular: [line(-0.24, 0.1, 0.1, 0, 0.24, 0.16, -0.26, 1, 0.28, 0.99)],
    'z-crossed': [line(-0.24, 0.02, 0.26, 0, -0.26, 1, 0.28, 0.99), line(-0.14, 0.5, 0.16, 0.5)],
    'curl-start': [
      [
        ...arc(-0.14, 0.2, 0.08, 0.08, 0, 360),
        ...curve(-0.06, 0.2, 0.02, 0.02, 0.2, 0.08, 0.22, 0.32, 0.02, 0.62, -0.25, 0.98),
        [0.28, 0.97],
      ],
    ],
  },
  {
    round: [
      [
        ...curve(-0.24, 0.12, 0, 0, 0.21, 0.1, 0.2, 0.32, -0.06, 0.47),
        ...curve(-0.06, 0.47, 0.22, 0.6, 0.23, 0.86, 0, 1, -0.26, 0.9),
      ],
    ],
    flat: [[...line(-0.24, 0, 0.24, 0), ...curve(-0.04, 0.4, 0.2, 0.5, 0.25, 0.74, 0.06, 0.97, -0.26, 0.88)]],
    'wide-flat': [[...line(-0.3, 0, 0.3, 0), ...curve(0, 0.35, 0.28, 0.55, 0.2, 0.9, -0.3, 0.9)]],
    pointy: [
      [
        ...curve(-0.22, 0.06, 0.16, 0.04, 0.22, 0.2, -0.2, 0.47),
        ...curve(-0.2, 0.47, 0.2, 0.55, 0.24, 0.8, 0.02, 1, -0.25, 0.94),
      ],
    ],
    cursive: [
      [
        ...curve(-0.22, 0.1, 0.02, 0, 0.2, 0.14, 0.02, 0.42, -0.12, 0.46),
        ...curve(-0.12, 0.46, 0.22, 0.58, 0.22, 0.86, 0, 1, -0.2, 0.92, -0.14, 0.8),
      ],
    ],
  },
  {
    closed: [line(0.12, 0, -0.28, 0.66, 0.3, 0.66), line(0.12, 0, 0.12, 1)],
    open: [line(-0.2, 0, -0.24, 0.6, 0.3, 0.6), line(0.14, 0.04, 0.12, 1)],
    'short-stem': [line(-0.04, 0, -0.28, 0.62, 0.3, 0.6), line(0.14, 0.32, 0.12, 1)],
    'u-top': [curve(-0.25, 0, -0.22, 0.5, 0.02, 0.62, 0.3, 0.48), line(0.2, 0.05, 0.16, 1)],
    'single-stroke': [line(-0.12, 0, -0.28, 0.6, 0.3, 0.6, 0.12, 0.6, 0.14, 0.2, 0.12, 1)],
    'short-arm': [line(-0.06, 0, -0.1, 0.6, 0.25, 0.6), line(0.12, 0.02, 0.12, 1)],
  },
  {
    plain: [[...line(-0.16, 0.02, -0.2, 0.42), ...fiveBelly], line(-0.16, 0.02, 0.25, 0)],
    'floating-flag': [[...line(-0.17, 0.1, -0.2, 0.42), ...fiveBelly], line(-0.08, -0.02, 0.3, -0.05)],
    curly: [
      [
        ...line(0.25, 0, -0.14, 0.02),
        ...curve(-0.14, 0.02, -0.22, 0.38, 0.08, 0.34, 0.26, 0.6, 0.12, 0.94, -0.14, 0.96, -0.26, 0.82),
      ],
    ],
    's-shape': [curve(0.24, 0.04, -0.02, 0, -0.2, 0.18, 0.04, 0.42, 0.24, 0.7, 0.05, 0.98, -0.25, 0.88)],
  },
  {
    plain: [
      curve(0.18, 0.02, -0.1, 0.22, -0.24, 0.6, -0.14, 0.95, 0.12, 0.95, 0.22, 0.72, 0.04, 0.52, -0.2, 0.64),
    ],
    straight: [
      [
        ...line(0.16, 0, -0.2, 0.72),
        ...curve(-0.2, 0.72, -0.08, 0.98, 0.16, 0.95, 0.21, 0.72, 0, 0.56, -0.19, 0.68),
      ],
    ],
    'small-loop': [
      curve(0.2, 0, -0.05, 0.3, -0.19, 0.72, -0.1, 0.98, 0.07, 0.95, 0.08, 0.8, -0.06, 0.74, -0.17, 0.82),
    ],
    'b-like': [
      [...line(-0.18, 0, -0.18, 0.95), ...curve(-0.18, 0.95, 0.1, 1, 0.2, 0.75, 0, 0.55, -0.18, 0.66)],
    ],
    'high-loop': [curve(0.2, 0, 0, 0.15, -0.2, 0.5, -0.16, 0.8, 0.04, 0.82, 0.14, 0.6, 0, 0.45, -0.18, 0.55)],
  },
  {
    plain: [line(-0.25, 0.02, 0.27, 0, -0.04, 1)],
    crossed: [line(-0.25, 0.02, 0.27, 0, -0.04, 1), line(-0.12, 0.52, 0.24, 0.5)],
    hooked: [line(-0.25, 0.2, -0.24, 0.01, 0.27, 0, -0.02, 1)],
    'hooked-crossed': [line(-0.25, 0.2, -0.24, 0.01, 0.27, 0, -0.02, 1), line(-0.1, 0.5, 0.26, 0.48)],
    'wavy-top': [[...curve(-0.25, 0.04, -0.12, -0.04, 0.02, 0.06, 0.16, 0, 0.27, 0), [-0.04, 1]]],
  },
  {
    loops: [arc(0, 0.24, 0.19, 0.24, 90, 450), arc(0, 0.73, 0.25, 0.27, -90, 270)],
    figure: [
      Array.from({ length: 49 }, (_, i) => {
        const t = (i / 48) * 2 * Math.PI;
        return [-0.25 * Math.sin(2 * t) * (1 - 0.2 * Math.cos(t)), 0.5 - 0.5 * Math.cos(t)] as const;
      }),
    ],
    snowman: [arc(0.03, 0.2, 0.13, 0.2, 90, 450), arc(0, 0.69, 0.27, 0.31, -90, 270)],
    'open-8': [
      curve(
        0.18,
        0.08,
        0,
        0,
        -0.18,
        0.15,
        -0.05,
        0.4,
        0.22,
        0.68,
        0.05,
        0.98,
        -0.22,
        0.85,
        -0.1,
        0.55,
        0.15,
        0.35,
        0.2,
        0.1,
      ),
    ],
  },
  {
    plain: [[...nineLoop, ...curve(0.22, 0.27, 0.18, 0.7, 0.04, 1)]],
    straight: [[...nineLoop, ...line(0.22, 0.3, 0.22, 1)]],
    hooked: [[...nineLoop, ...curve(0.22, 0.27, 0.22, 0.82, 0.08, 1, -0.14, 0.9)]],
    'g-hook': [[...nineLoop, ...curve(0.22, 0.27, 0.22, 0.85, 0, 1, -0.22, 0.8)]],
    'a-like': [[...arc(0, 0.35, 0.24, 0.35, 10, -350), ...curve(0.24, 0.2, 0.22, 0.75, 0.3, 1)]],
  },
];

/**
 * Habits a person reads at once but the shipped model, trained on MNIST's American forms, mostly
 * misreads: long-slashed and barred 0s (as 8), European 1s (as 7), 2s with a short base (as 7),
 * 4s with a tiny closed top and 7s with a short bar (as 1), 5s with a closed belly (as 6), 8s
 * with a small top loop (as 0), 9s with a tiny loop (as 1, when narrow).
 */
const confusingHabits: Glyphs = [
  {
    'long-slash': [zero, line(0.4, -0.12, -0.4, 1.12)],
    barred: [zero, line(-0.3, 0.5, 0.3, 0.5)],
  },
  {
    'flag-tick': [line(-0.25, 0.35, 0.05, 0, 0.02, 1, 0.14, 0.94)],
    flag: [line(-0.22, 0.3, 0.05, 0, 0.01, 1)],
    caret: [line(-0.3, 0.42, 0.06, 0, 0.03, 1)],
  },
  {
    'short-base': [[...curve(-0.16, 0.16, 0.02, 0, 0.2, 0.1, 0.18, 0.32, -0.15, 1), [0.05, 0.98]]],
  },
  {},
  {
    'tiny-triangle': [line(0.1, 0, -0.16, 0.38, 0.25, 0.38), line(0.1, 0, 0.1, 1)],
  },
  {
    'closed-belly': [
      [...line(-0.16, 0.02, -0.2, 0.42), ...fiveBelly, ...curve(-0.24, 0.9, -0.18, 0.5)],
      line(-0.16, 0.02, 0.25, 0),
    ],
  },
  {},
  {
    'short-bar': [line(-0.15, 0.02, 0.19, 0, 0, 1)],
  },
  {
    'small-top': [arc(0.02, 0.16, 0.12, 0.16, 90, 450), arc(0, 0.63, 0.27, 0.37, -90, 270)],
  },
  {
    'tiny-loop': [[...arc(0.02, 0.13, 0.12, 0.13, 10, -350), ...line(0.14, 0.15, 0.12, 1)]],
  },
];

const glyphs: Glyphs = usualForms.map((forms, digit) => ({ ...forms, ...confusingHabits[digit] }));

/** The glyph variant names per digit 0–9: the plain form first, then the other usual forms, then confusing habits. */
export const glyphVariants: readonly (readonly string[])[] = glyphs.map((variants) => Object.keys(variants));

/** How often a writer has a confusing habit for a digit that has one. */
const CONFUSING_HABIT_RATE = 0.6;

/** Mixes two seeds into one, so (writer, sample) pairs get independent random streams. */
const mix = (a: number, b: number) => Math.imul(a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b), 0xc2b2ae35) >>> 0;

function pickStyle(random: Random): WriterStyle {
  const widthScale = 0.55 + 0.9 * random();
  return {
    slant: -0.3 + 1.1 * random(),
    widthScale,
    // A narrow hand with a fat pen fills its loops in; people who write narrow use finer pens.
    strokeWidth: Math.min(0.05 + 0.1 * random(), 0.1 * widthScale),
    size: 0.4 + 0.35 * random(),
    centre: { x: 0.38 + 0.24 * random(), y: 0.38 + 0.24 * random() },
    rotation: (random() - 0.5) * 0.24,
    wobble: 0.02 + 0.03 * random(),
    glyphs: usualForms.map((forms, digit) => {
      const habits = Object.keys(confusingHabits[digit] ?? {});
      const names = habits.length > 0 && random() < CONFUSING_HABIT_RATE ? habits : Object.keys(forms);
      return names[Math.floor(random() * names.length)] ?? '';
    }),
  };
}

/** One sample: the writer's template, distorted a little, slanted, placed and drawn. */
function drawSample(style: WriterStyle, digit: number, random: Random): WriterImage {
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

/**
 * A simulated writer with a personal style picked from `seed`: slant, glyph width, pen width,
 * size and position habits, and one glyph form per digit (crossed 7s, open-top 4s, European 1s,
 * slashed 0s, flat-topped 3s, straight-stemmed 9s, looped 2s…). For each digit that has one, a
 * writer has a habit the shipped model tends to misread with probability 0.6, so writers differ
 * in how hard they are (from about 0% to 30% misread). Samples are drawn from stroke templates
 * with per-sample jitter, dark ink on a white 280x280 RGBA canvas, in pure TypeScript.
 */
export function createWriter(seed: number): Writer {
  const style = pickStyle(seededRandom(mix(seed, 0x5717e)));
  const draw = (digit: number, sampleSeed: number) =>
    drawSample(style, digit, seededRandom(mix(seed, sampleSeed)));
  return {
    seed,
    style,
    draw,
    stream(count, streamSeed) {
      const random = seededRandom(mix(mix(seed, 0x57ea3), streamSeed));
      return Array.from({ length: count }, () => {
        const digit = Math.floor(random() * 10);
        const sampleSeed = Math.floor(random() * 2 ** 32);
        return { digit, image: draw(digit, sampleSeed) };
      });
    },
  };
}
