import { arc, curve, line, type Stroke } from './glyph-paths.js';

const zero = arc(0, 0.5, 0.26, 0.5, 265, -105);
const nineLoop = arc(0, 0.27, 0.22, 0.27, 10, -350);
const fiveBelly = curve(-0.2, 0.42, 0.05, 0.36, 0.24, 0.54, 0.22, 0.8, 0.02, 0.99, -0.24, 0.9);

/** Stroke templates per digit 0–9, by variant name; each template is an array of strokes. */
type Glyphs = ReadonlyArray<Readonly<Record<string, Stroke[]>>>;

/**
 * Forms people commonly draw that a model trained on MNIST reads right, even the less American
 * ones (crossed 7s, open 4s, looped 2s); the first of each digit is the plain one.
 */
export const usualForms: Glyphs = [
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
 * Habits a person reads at once but a model trained on MNIST's American forms mostly misreads:
 * long-slashed and barred 0s (as 8), European 1s (as 7), 2s with a short base (as 7), 4s with a
 * tiny closed top and 7s with a short bar (as 1), 5s with a closed belly (as 6), 8s with a small
 * top loop (as 0), 9s with a tiny loop (as 1, when narrow).
 */
export const confusingHabits: Glyphs = [
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

/** Every form of each digit 0–9, usual ones and confusing habits, by variant name. */
export const glyphs: Glyphs = usualForms.map((forms, digit) => ({ ...forms, ...confusingHabits[digit] }));

/** The glyph variant names per digit 0–9: the plain form first, then the other usual forms, then confusing habits. */
export const glyphVariants: readonly (readonly string[])[] = glyphs.map((variants) => Object.keys(variants));
