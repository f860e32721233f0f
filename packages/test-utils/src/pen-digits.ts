import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { gaussian, type Random } from '@crazy-digits/core/training';
import { drawStrokes, type PenStroke } from './canvas.js';

/**
 * One digit written on a tablet by a real person, as pen strokes (the UNIPEN-derived
 * `digits.jsonl.gz` format): integer `[x, y]` points, y down, the digit's longer side 1000.
 */
export interface PenDigit {
  /** `<contributor>/<writer id>`. */
  writer: string;
  /** The digit's place in its writer's sequence. */
  n: number;
  label: number;
  strokes: Array<Array<[number, number]>>;
}

/** What a real-writer benchmark or training run needs, said when it is missing. */
export const PEN_DIGITS_HELP =
  'needs real pen-drawn digits: a gzipped JSON-lines file of {"writer","n","label","strokes"} objects ' +
  '(e.g. the UNIPEN-derived digits.jsonl.gz), given as --data <path>';

/** Reads a `digits.jsonl.gz` file of pen digits, in its writers' own order. */
export function loadPenDigits(path: string): PenDigit[] {
  if (!existsSync(path)) throw new Error(`no file at ${path}: ${PEN_DIGITS_HELP}`);
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const digit = JSON.parse(line) as PenDigit;
      if (
        !(Number.isInteger(digit.label) && digit.label >= 0 && digit.label <= 9) ||
        !Array.isArray(digit.strokes)
      )
        throw new Error(`${path}, line ${i + 1}: not a pen digit`);
      return digit;
    });
}

/** Writers with at least this many digits are streamed through predict-then-correct. */
export const STREAM_WRITER_MIN_DIGITS = 80;

/** Groups digits by writer, keeping each writer's own order. */
export function byWriter(digits: readonly PenDigit[]): Map<string, PenDigit[]> {
  const writers = new Map<string, PenDigit[]>();
  for (const digit of digits) {
    const own = writers.get(digit.writer) ?? [];
    own.push(digit);
    writers.set(digit.writer, own);
  }
  for (const own of writers.values()) own.sort((a, b) => a.n - b.n);
  return writers;
}

/** FNV-1a of a string: a split that depends on the writer's name only, never on file order. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * The writer-level split every real-writer figure and the training recipe share, so that no
 * figure rests on a writer the model was trained on:
 * - `streamTuning`, `streamChecking`: the writers with {@link STREAM_WRITER_MIN_DIGITS} or more
 *   digits, ranked by how many they wrote and dealt alternately; the correction memory is tuned
 *   on the first half and checked on the second. Neither is trained on.
 * - `heldOut`: three in ten of the other writers (by a hash of their names), for accuracy.
 * - `training`: the rest, the only writers `npm run train` renders into its training data.
 */
export interface WriterSplit {
  training: string[];
  heldOut: string[];
  streamTuning: string[];
  streamChecking: string[];
}

export function splitWriters(digits: readonly PenDigit[]): WriterSplit {
  const writers = byWriter(digits);
  const streamers = [...writers.entries()]
    .filter(([, own]) => own.length >= STREAM_WRITER_MIN_DIGITS)
    .sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))
    .map(([name]) => name);
  const others = [...writers.keys()].filter((name) => !streamers.includes(name)).sort();
  return {
    training: others.filter((name) => hashName(name) % 10 >= 3),
    heldOut: others.filter((name) => hashName(name) % 10 < 3),
    streamTuning: streamers.filter((_, i) => i % 2 === 0),
    streamChecking: streamers.filter((_, i) => i % 2 === 1),
  };
}

/** Canvas geometry for one rendered pen digit. */
export interface PenCanvasOptions {
  /** Canvas side in pixels. Default 280. */
  side?: number;
  /** Pen width in canvas pixels. */
  strokeWidth: number;
  /** The digit's longer side as a fraction of the canvas side. */
  size: number;
  /** Where the digit goes, 0–1 along each axis of the room left free (0: touching the left or top). */
  place: { x: number; y: number };
  /** Rotation in radians, clockwise, about the digit's centre. Default 0. */
  rotation?: number;
  background: 'dark-on-white' | 'transparent';
}

/**
 * How a drawing pad in a browser would show the digit: 280x280, a round pen about 18 px wide
 * (16–20), the longer side 45–75% of the canvas, anywhere on it; half dark ink on white, half ink
 * on a transparent canvas. The conditions of the real-writer benchmark.
 */
export function padGeometry(random: Random, background: PenCanvasOptions['background']): PenCanvasOptions {
  return {
    strokeWidth: 16 + 4 * random(),
    size: 0.45 + 0.3 * random(),
    place: { x: random(), y: random() },
    background,
  };
}

/**
 * Wider conditions for training: pens from fine to fat (8–30 px), digits from small to large
 * (30–90% of the canvas), tilted a little (±0.15 rad, about 9°), either background.
 */
export function trainingGeometry(random: Random): PenCanvasOptions {
  return {
    strokeWidth: 8 + 22 * random() ** 1.5,
    size: 0.3 + 0.6 * random(),
    place: { x: random(), y: random() },
    rotation: 0.05 * gaussian(random),
    background: random() < 0.5 ? 'dark-on-white' : 'transparent',
  };
}

/** Renders a pen digit on a canvas as RGBA pixels (what `getImageData` gives). */
export function drawPenDigit(
  digit: PenDigit,
  options: PenCanvasOptions,
): { data: Uint8ClampedArray; width: number; height: number } {
  const side = options.side ?? 280;
  const points = digit.strokes.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const longer = Math.max(maxX - minX, maxY - minY, 1);
  const scale = (options.size * side) / longer;
  const cos = Math.cos(options.rotation ?? 0);
  const sin = Math.sin(options.rotation ?? 0);
  const midX = (minX + maxX) / 2;
  const midY = (minY + maxY) / 2;
  const turned = digit.strokes.map((stroke) =>
    stroke.map(([x, y]): [number, number] => {
      const u = (x - midX) * scale;
      const v = (y - midY) * scale;
      return [u * cos - v * sin, u * sin + v * cos];
    }),
  );
  const radius = options.strokeWidth / 2;
  const placed = turned.flat();
  const low = (values: number[]) => Math.min(...values);
  const high = (values: number[]) => Math.max(...values);
  // The room left once the ink (with its pen width) fits on the canvas.
  const offset = (values: number[], at: number) => {
    const from = radius + 1 - low(values);
    const to = side - radius - 1 - high(values);
    return from > to ? (from + to) / 2 : from + at * (to - from);
  };
  const dx = offset(
    placed.map((p) => p[0]),
    options.place.x,
  );
  const dy = offset(
    placed.map((p) => p[1]),
    options.place.y,
  );
  const strokes: PenStroke[] = turned.map((stroke) => stroke.map(([x, y]) => [x + dx, y + dy] as const));
  return drawStrokes(strokes, { side, radius, background: options.background });
}
