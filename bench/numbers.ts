/**
 * `npm run bench -- numbers --data <digits.jsonl.gz> [--json] [--writers checking|tuning]
 *   [--numbers 300] [--calls 100] [--corrections 50] [--skip accuracy|latency|corrections]`
 *
 * Handwritten multi-digit numbers through `readNumber`, composed from real people's pen digits
 * (e.g. the UNIPEN-derived development set) on writers the shipped model was never trained on or
 * tuned with: the held-out and stream-checking writers of test-utils `splitWriters` (`--writers
 * tuning` takes the training and stream-tuning writers instead, for tuning runs). Each number is
 * 2–6 digits (each length equally often) of one writer, drawn by test-utils `drawPenNumber` as a
 * browser canvas would show them: 280 px high, one round pen 16–20 px, digits 45–75% of the
 * height, alternately dark on white and on a transparent canvas.
 *
 * 1. Accuracy: `--numbers` numbers per spacing (`'separate'`, `'touching'`, `'overlapping'`; the
 *    same digits and geometry in each, so the spacings compare pair by pair): whole numbers read
 *    exactly, digits read right by position (a number read at the wrong length counts all its
 *    digits wrong), numbers read at the wrong length, and numbers whose right split is among
 *    the candidate digits at all (the ceiling of any scoring, see numbers-ceiling.ts).
 *    And 100 random scribbles (test-utils `drawScribble`): how many read with a confidence under
 *    0.8 and at least one digit uncertain, as something that is not a number should.
 * 2. Latency: `readNumber` on an 840x280 canvas holding 4 separate digits, median and p95 over
 *    `--calls` calls (at least 50) after a warm-up; the same 4 digits touching (shapes cut and
 *    read again: the slow path).
 * 3. Corrections: on a fresh recogniser, `--corrections` numbers (the spacings in turn) that it
 *    reads at the right length, misread or not, are corrected with `correctNumber(image, truth)`
 *    and read again: how many now read as corrected. Corrections accumulate, as for one user.
 *    Numbers where `correctNumber` refuses the length are counted apart.
 *
 * And the tensors left over from before the first `createRecognizer()` to after the last
 * `dispose()`.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  createRecognizer,
  isCrazyDigitsError,
  type Recognizer,
  type RgbaImage,
} from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  byWriter,
  type DrawnNumber,
  drawPenNumber,
  drawScribble,
  loadPenDigits,
  type NumberSpacing,
  PEN_DIGITS_HELP,
  type PenDigit,
  splitWriters,
} from '../packages/test-utils/src/index.js';
import { splitIsCandidate } from './numbers-ceiling.js';
import type { BenchOptions } from './registry.js';
import { type Figure, percentile, printFigures } from './report.js';

type Background = 'dark-on-white' | 'transparent';

/** One number to draw: a writer's digits, the canvas background and the geometry's seed. */
export interface NumberCase {
  writer: string;
  digits: PenDigit[];
  background: Background;
  seed: number;
}

/** The seed every number's choice of writer, digits and geometry comes from, with its index. */
const NUMBER_SEED = 20261211;
const SPACINGS: readonly NumberSpacing[] = ['separate', 'touching', 'overlapping'];
const SHORTEST = 2;
const LONGEST = 6;
/** Calls before timing, and distinct drawings the timed calls cycle through. */
const WARM_UP = 10;
const LATENCY_DRAWINGS = 20;

const percent = (part: number, whole: number) => (whole === 0 ? Number.NaN : (100 * part) / whole);

/**
 * `count` numbers of `length` digits (2–6 in turn when undefined), each from one writer of
 * `names` who wrote at least that many digits, picked without repeating a drawing; backgrounds
 * alternate.
 */
export function numberCases(
  writers: Map<string, PenDigit[]>,
  names: readonly string[],
  count: number,
  seed: number,
  length?: number,
): NumberCase[] {
  return Array.from({ length: count }, (_, k) => {
    const random = seededRandom((seed + Math.imul(k + 1, 0x9e3779b1)) >>> 0);
    const size = length ?? SHORTEST + (k % (LONGEST - SHORTEST + 1));
    const eligible = names.filter((name) => (writers.get(name)?.length ?? 0) >= size);
    if (eligible.length === 0) throw new Error(`no writer wrote ${size} digits`);
    const writer = eligible[Math.floor(random() * eligible.length)] as string;
    const pool = [...(writers.get(writer) ?? [])];
    const digits = Array.from(
      { length: size },
      () => pool.splice(Math.floor(random() * pool.length), 1)[0] as PenDigit,
    );
    return {
      writer,
      digits,
      background: k % 2 === 0 ? 'dark-on-white' : 'transparent',
      seed: Math.floor(random() * 2 ** 32),
    };
  });
}

/** The number drawn with its own geometry; with `layer`, that digit's ink alone. */
export function draw(
  number: NumberCase,
  spacing: NumberSpacing,
  width?: number,
  layer?: number,
): DrawnNumber {
  return drawPenNumber(number.digits, {
    spacing,
    background: number.background,
    random: seededRandom(number.seed),
    ...(width === undefined ? {} : { width }),
    ...(layer === undefined ? {} : { layer }),
  });
}

interface Tally {
  numbers: number;
  exact: number;
  digits: number;
  digitsRight: number;
  tooShort: number;
  tooLong: number;
  /** Numbers whose right split is among the candidate digits (see numbers-ceiling.ts). */
  splitAmongCandidates: number;
  byBackground: Record<Background, { numbers: number; exact: number }>;
  confusions: Map<string, number>;
}

async function accuracy(reader: Recognizer, numbers: NumberCase[], spacing: NumberSpacing): Promise<Tally> {
  const tally: Tally = {
    numbers: 0,
    exact: 0,
    digits: 0,
    digitsRight: 0,
    tooShort: 0,
    tooLong: 0,
    splitAmongCandidates: 0,
    byBackground: { 'dark-on-white': { numbers: 0, exact: 0 }, transparent: { numbers: 0, exact: 0 } },
    confusions: new Map(),
  };
  for (const number of numbers) {
    const { image, text: truth } = draw(number, spacing);
    const { text } = await reader.readNumber(image);
    const layers = number.digits.map((_, layer) => draw(number, spacing, undefined, layer).image);
    if (splitIsCandidate(image, layers)) tally.splitAmongCandidates++;
    tally.numbers++;
    tally.digits += truth.length;
    tally.byBackground[number.background].numbers++;
    if (text === truth) {
      tally.exact++;
      tally.byBackground[number.background].exact++;
    }
    if (text.length < truth.length) tally.tooShort++;
    if (text.length > truth.length) tally.tooLong++;
    if (text.length !== truth.length) continue;
    for (let i = 0; i < truth.length; i++) {
      if (text[i] === truth[i]) {
        tally.digitsRight++;
        continue;
      }
      const key = `${truth[i]}→${text[i]}`;
      tally.confusions.set(key, (tally.confusions.get(key) ?? 0) + 1);
    }
  }
  return tally;
}

function accuracyFigures(tally: Tally, spacing: NumberSpacing, data: string, writerCount: number): Figure[] {
  const bench = 'numbers';
  const lengthErrors = tally.tooShort + tally.tooLong;
  const common = [...tally.confusions.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const onWhite = tally.byBackground['dark-on-white'];
  const onClear = tally.byBackground.transparent;
  return [
    {
      bench,
      metric: `${spacing} digits: whole numbers read exactly`,
      value: percent(tally.exact, tally.numbers),
      unit: '%',
      detail: `${tally.exact} of ${tally.numbers} numbers of ${SHORTEST}–${LONGEST} digits by ${writerCount} writers; ${data}, ${spacing}, half dark on white, half transparent`,
    },
    {
      bench,
      metric: `… ${spacing}, dark ink on white`,
      value: percent(onWhite.exact, onWhite.numbers),
      unit: '%',
      detail: `${onWhite.exact} of ${onWhite.numbers} numbers; ${data}, ${spacing}, dark on white`,
    },
    {
      bench,
      metric: `… ${spacing}, ink on a transparent canvas`,
      value: percent(onClear.exact, onClear.numbers),
      unit: '%',
      detail: `${onClear.exact} of ${onClear.numbers} numbers; ${data}, ${spacing}, transparent`,
    },
    {
      bench,
      metric: `${spacing} digits: digits read right by position`,
      value: percent(tally.digitsRight, tally.digits),
      unit: '%',
      detail: `${tally.digitsRight} of ${tally.digits} digits in ${tally.numbers} numbers (all of a number's digits count wrong when it is read at the wrong length); ${data}, ${spacing}, both backgrounds; most common: ${common || 'none'}`,
    },
    {
      bench,
      metric: `${spacing} digits: right split among the candidates`,
      value: percent(tally.splitAmongCandidates, tally.numbers),
      unit: '%',
      detail: `${tally.splitAmongCandidates} of ${tally.numbers} numbers: the ceiling any scoring of today's candidate digits could reach (each a digit's ink ≥ 90% whole and ≥ 85% pure, every shape cut); ${data}, ${spacing}, both backgrounds`,
    },
    {
      bench,
      metric: `${spacing} digits: numbers read at the wrong length`,
      value: percent(lengthErrors, tally.numbers),
      unit: '%',
      detail: `${lengthErrors} of ${tally.numbers} numbers (${tally.tooShort} too few digits, ${tally.tooLong} too many); ${data}, ${spacing}, both backgrounds`,
    },
  ];
}

async function latency(
  reader: Recognizer,
  numbers: NumberCase[],
  spacing: NumberSpacing,
  calls: number,
): Promise<number[]> {
  const images = numbers.map((number) => draw(number, spacing, 840).image);
  const at = (i: number) => images[i % images.length] as RgbaImage;
  for (let i = 0; i < WARM_UP; i++) await reader.readNumber(at(i));
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await reader.readNumber(at(i));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** Scribbles read: something that is not a number should come back doubtful. */
const SCRIBBLES = 100;
const SCRIBBLE_SEED = 1000;

async function scribblesFlagged(reader: Recognizer) {
  let flagged = 0;
  let lowConfidence = 0;
  for (let i = 0; i < SCRIBBLES; i++) {
    const reading = await reader.readNumber(drawScribble(seededRandom(SCRIBBLE_SEED + i)));
    const low = reading.confidence < 0.8;
    if (low) lowConfidence++;
    if (low && reading.digits.some((d) => d.uncertain)) flagged++;
  }
  return { flagged, lowConfidence };
}

/** Whether `correctNumber` refused a text whose length differs from the digits it finds. */
const isLengthMismatch = (error: unknown) => isCrazyDigitsError(error, 'NUMBER_LENGTH_MISMATCH');

interface CorrectionTally {
  tried: number;
  readAsCorrected: number;
  misreadBefore: number;
  misreadFixed: number;
  /** Numbers read at the wrong length before correcting: not tried. */
  wrongLength: number;
  /** Numbers `correctNumber` refused for their length. */
  refused: number;
}

async function corrections(reader: Recognizer, numbers: readonly NumberCase[], wanted: number) {
  const tally: CorrectionTally = {
    tried: 0,
    readAsCorrected: 0,
    misreadBefore: 0,
    misreadFixed: 0,
    wrongLength: 0,
    refused: 0,
  };
  for (const [k, number] of numbers.entries()) {
    if (tally.tried >= wanted) break;
    const spacing = SPACINGS[k % SPACINGS.length] as NumberSpacing;
    const { image, text: truth } = draw(number, spacing);
    const before = (await reader.readNumber(image)).text;
    if (before.length !== truth.length) {
      tally.wrongLength++;
      continue;
    }
    try {
      await reader.correctNumber(image, truth);
    } catch (error) {
      if (!isLengthMismatch(error)) throw error;
      tally.refused++;
      continue;
    }
    const after = (await reader.readNumber(image)).text;
    tally.tried++;
    if (after === truth) tally.readAsCorrected++;
    if (before !== truth) {
      tally.misreadBefore++;
      if (after === truth) tally.misreadFixed++;
    }
  }
  return tally;
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      data: { type: 'string' },
      writers: { type: 'string', default: 'checking' },
      numbers: { type: 'string', default: '300' },
      calls: { type: 'string', default: '100' },
      corrections: { type: 'string', default: '50' },
      skip: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.data === undefined || !existsSync(values.data)) {
    console.error(
      values.data === undefined
        ? `numbers ${PEN_DIGITS_HELP}`
        : `numbers: no file at ${values.data}; ${PEN_DIGITS_HELP}`,
    );
    process.exitCode = 2;
    return;
  }
  const count = Number(values.numbers);
  const calls = Number(values.calls);
  const wanted = Number(values.corrections);
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError('--numbers must be a positive integer');
  if (!(Number.isInteger(calls) && calls >= 50))
    throw new RangeError('--calls must be an integer of at least 50');
  if (!(Number.isInteger(wanted) && wanted >= 1))
    throw new RangeError('--corrections must be a positive integer');
  if (values.writers !== 'checking' && values.writers !== 'tuning')
    throw new RangeError('--writers must be checking or tuning');

  const all = loadPenDigits(values.data);
  const writers = byWriter(all);
  const split = splitWriters(all);
  const tuning = values.writers === 'tuning';
  const names = tuning
    ? [...split.training, ...split.streamTuning]
    : [...split.heldOut, ...split.streamChecking];
  const source =
    basename(values.data) === 'digits.jsonl.gz' && values.data.includes('unipen')
      ? 'UNIPEN dev'
      : basename(values.data);
  const data = `real pen digits (${source}, ${tuning ? 'training and tuning writers' : 'held-out writers'})`;
  const numbers = numberCases(writers, names, count, NUMBER_SEED);
  const used = new Set(numbers.map((n) => n.writer)).size;

  const figures: Figure[] = [];
  const started = performance.now();
  // Counted from before createRecognizer() to after dispose(): what a live recogniser holds is
  // not a leak; what outlives it is.
  await tf.ready();
  const tensorsAtStart = tf.memory().numTensors;
  let reads = 0;
  const recognizer = await createRecognizer();
  const reader = recognizer;
  try {
    if (!values.skip.includes('accuracy')) {
      for (const spacing of SPACINGS) {
        const tally = await accuracy(reader, numbers, spacing);
        reads += tally.numbers;
        figures.push(...accuracyFigures(tally, spacing, data, used));
      }
      const scribbles = await scribblesFlagged(reader);
      reads += SCRIBBLES;
      figures.push({
        bench: 'numbers',
        metric: 'scribbles read with a low confidence and an uncertain digit',
        value: percent(scribbles.flagged, SCRIBBLES),
        unit: '%',
        detail: `${scribbles.flagged} of ${SCRIBBLES} random scribbles (test-utils drawScribble, 280x280) read with confidence under 0.8 and at least one digit uncertain; ${scribbles.lowConfidence} with confidence under 0.8`,
      });
    }
    if (!values.skip.includes('latency')) {
      const fours = numberCases(writers, names, LATENCY_DRAWINGS, NUMBER_SEED + 1, 4);
      // Separate digits are the target's case; touching ones are cut and read again, the slow path.
      for (const spacing of ['separate', 'touching'] as const) {
        const times = await latency(reader, fours, spacing, calls);
        reads += WARM_UP + calls;
        const detail = `${calls} calls after ${WARM_UP} warm-up, cycling through ${fours.length} drawings; backend ${recognizer.backend}; ${data}, ${spacing}, half dark on white, half transparent`;
        figures.push(
          {
            bench: 'numbers',
            metric: `readNumber(840x280 RGBA, 4 ${spacing} digits) median`,
            value: percentile(times, 0.5),
            unit: 'ms',
            detail,
          },
          {
            bench: 'numbers',
            metric: `readNumber(840x280 RGBA, 4 ${spacing} digits) p95`,
            value: percentile(times, 0.95),
            unit: 'ms',
            detail: `${calls} calls; ${data}, ${spacing}`,
          },
        );
      }
    }
  } finally {
    recognizer.dispose();
  }

  let corrected = 0;
  if (!values.skip.includes('corrections')) {
    const fresh = await createRecognizer();
    try {
      const tally = await corrections(fresh, numbers, wanted);
      corrected = tally.tried + tally.refused;
      reads += 2 * tally.tried + tally.wrongLength + tally.refused;
      figures.push(
        {
          bench: 'numbers',
          metric: 'after correctNumber, the same drawing reads as corrected',
          value: percent(tally.readAsCorrected, tally.tried),
          unit: '%',
          detail: `${tally.readAsCorrected} of ${tally.tried} numbers read at the right length before correcting (${tally.misreadFixed} of the ${tally.misreadBefore} misread ones now right); ${tally.refused} more where correctNumber refused the length, ${tally.wrongLength} read at the wrong length not tried; one fresh recogniser, corrections accumulating; ${data}, the three spacings in turn, half dark on white, half transparent`,
        },
        {
          bench: 'numbers',
          metric: '… numbers correctNumber refused for their length',
          value: tally.refused,
          unit: 'numbers',
          detail: `of ${tally.tried + tally.refused} read at the right length and corrected; ${data}`,
        },
      );
    } finally {
      fresh.dispose();
    }
  }

  figures.push(
    {
      bench: 'numbers',
      metric: 'tensors leaked',
      value: tf.memory().numTensors - tensorsAtStart,
      unit: 'tensors',
      detail: `before the first createRecognizer() to after the last dispose(); ${reads} readNumber and ${corrected} correctNumber calls on ${data}`,
    },
    {
      bench: 'numbers',
      metric: 'run time',
      value: (performance.now() - started) / 1000,
      unit: 's',
      detail: `${count} numbers per spacing by ${used} of ${names.length} ${tuning ? 'training and tuning' : 'held-out and stream-checking'} writers; ${all.length} pen digits in the file`,
    },
  );
  printFigures(figures, options.json);
}
