import type { Random } from '@crazy-digits/core/training';
import { confusingHabits, usualForms } from './glyphs.js';

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

/**
 * How often a writer has a confusing habit for a digit that has one; below 1, so that writers
 * differ in how hard they are to read.
 */
const CONFUSING_HABIT_RATE = 0.6;

/** A writer's habits, drawn from `random`. */
export function pickStyle(random: Random): WriterStyle {
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
