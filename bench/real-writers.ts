/**
 * `npm run bench -- real-writers --data <digits.jsonl.gz> [--json] [--writers checking|tuning|held-out|all]
 *   [--orders 5] [--drawings 4] [--digits 200] [--consolidate-after N] [--drawing-seed N] [--skip accuracy|streams]`
 *
 * Real people's handwriting (pen digits from tablets, e.g. the UNIPEN-derived development set)
 * through the public API, on writers the shipped model was never trained on (the writer split of
 * test-utils `splitWriters`, shared with `npm run train`):
 *
 * 1. Accuracy: every digit of every writer outside the training split (at most 200 per writer,
 *    so no one writer dominates), drawn as a browser canvas would (`padGeometry`: 280x280, round
 *    pen 16–20 px, longer side 45–75%, anywhere), once dark on white and once on a transparent
 *    canvas, through `predict` on RGBA pixels.
 * 2. Personalisation: each stream writer (≥ 80 digits; the checking half by default, the tuning
 *    half with `--writers tuning`; `--writers held-out`: the accuracy writers with fewer digits,
 *    more and shorter streams to tune the memory on, no memory figure being checked on them)
 *    writes at most `--digits` of their digits, drawn with `--drawings` canvas geometries (the
 *    figure moves with the geometry about as much as with the order), in `--orders` orders each
 *    (their own, then shuffles), into a fresh recogniser that is corrected whenever it is wrong.
 *    The second half of each stream is compared with an uncorrected recogniser on the same
 *    drawings: errors left, errors fixed, repeat errors fixed (second-half errors on a digit the
 *    uncorrected recogniser had already misread earlier in the stream: what corrections can
 *    teach, since a writer's first misread of a digit has no correction before it), and errors
 *    introduced (drawings the uncorrected recogniser reads right and the corrected one reads
 *    wrong, over the whole stream).
 * 3. With `--consolidate-after N`: the same streams with the automatic policy
 *    `retrain: { afterCorrections: N }` (each background retrain awaited before the next
 *    drawing, so runs repeat), and MNIST accuracy through `predict` at the end of each writer's
 *    first order against a fresh recogniser: what consolidation costs ordinary digits. Few
 *    streams reach N corrections, so also a first consolidation as a user meets it: each writer's
 *    first N misread drawings (through the geometries in turn) corrected in a fresh recogniser,
 *    then one `retrain()`: accepted or not, the corrections the candidate fits, the writer's other
 *    drawings before and after it, and MNIST through `predict`.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createRecognizer, type Recognizer } from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  byWriter,
  drawPenDigit,
  loadMnist,
  loadPenDigits,
  mnistDigit,
  PEN_DIGITS_HELP,
  type PenDigit,
  padGeometry,
  splitWriters,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

type Drawing = ReturnType<typeof drawPenDigit>;

/**
 * The seed every drawing's geometry comes from, with the writer and the digit's place (the
 * streams' k-th geometry from this seed + k); `--drawing-seed` draws the same digits with other
 * geometry (more streams to tune on).
 */
const DRAWING_SEED = 20261204;
/** MNIST test digits read before and after a consolidated stream. */
const MNIST_CHECK = 2000;

function nameSeed(name: string, n: number, seed: number): number {
  let hash = seed;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return (hash ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
}

/** The canvas drawing of a digit: the same geometry in every run and every order. */
function drawOnPad(
  digit: PenDigit,
  background: 'dark-on-white' | 'transparent',
  seed = DRAWING_SEED,
): Drawing {
  return drawPenDigit(digit, padGeometry(seededRandom(nameSeed(digit.writer, digit.n, seed)), background));
}

const percent = (part: number, whole: number) => (whole === 0 ? Number.NaN : (100 * part) / whole);

async function accuracy(
  writers: Map<string, PenDigit[]>,
  names: string[],
  cap: number,
  seed: number,
): Promise<Figure[]> {
  const recognizer = await createRecognizer();
  try {
    const wrong = { 'dark-on-white': 0, transparent: 0 };
    let count = 0;
    const confusions = new Map<string, number>();
    for (const name of names) {
      for (const digit of (writers.get(name) ?? []).slice(0, cap)) {
        count++;
        for (const background of ['dark-on-white', 'transparent'] as const) {
          const { digit: read } = await recognizer.predict(drawOnPad(digit, background, seed));
          if (read === digit.label) continue;
          wrong[background]++;
          const key = `${digit.label}→${read}`;
          confusions.set(key, (confusions.get(key) ?? 0) + 1);
        }
      }
    }
    const errors = wrong['dark-on-white'] + wrong.transparent;
    const common = [...confusions.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return [
      {
        bench: 'real-writers',
        metric: 'real pen digits drawn on a canvas, accuracy',
        value: 100 - percent(errors, 2 * count),
        unit: '%',
        detail: `${errors} errors in ${2 * count} drawings (${count} digits by ${names.length} writers not trained on, each on white and on transparent); model ${recognizer.modelVersion}`,
      },
      {
        bench: 'real-writers',
        metric: '… dark ink on white',
        value: 100 - percent(wrong['dark-on-white'], count),
        unit: '%',
        detail: `${wrong['dark-on-white']} errors`,
      },
      {
        bench: 'real-writers',
        metric: '… ink on a transparent canvas',
        value: 100 - percent(wrong.transparent, count),
        unit: '%',
        detail: `${wrong.transparent} errors; most common: ${common}`,
      },
    ];
  } finally {
    recognizer.dispose();
  }
}

/** A reproducible shuffle; order 0 is the writer's own. */
function order(digits: readonly PenDigit[], index: number): PenDigit[] {
  const shuffled = [...digits];
  if (index === 0) return shuffled;
  const random = seededRandom(0x0dde5 + index);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as PenDigit, shuffled[i] as PenDigit];
  }
  return shuffled;
}

interface StreamTally {
  streams: number;
  predictions: number;
  /** Second-half drawings. */
  evaluated: number;
  /** Second-half errors without corrections, and with them. */
  baselineErrors: number;
  treatedErrors: number;
  /** Second-half errors of the uncorrected recogniser that the corrected one reads right. */
  fixed: number;
  /**
   * Second-half errors of the uncorrected recogniser on a digit it had already misread earlier in
   * the same stream: the ones a correction could have taught it (the rest are the writer's first
   * misread of that digit, which no correction preceded). Of these, how many the corrected one
   * reads right.
   */
  repeats: number;
  repeatsFixed: number;
  /** Per writer who had any: drawings (whole stream) the uncorrected recogniser reads right and the corrected one wrong. */
  introducedBy: Map<string, number>;
  corrections: number;
  retrains: number;
  accepted: number;
  /** MNIST through predict after each writer's first consolidated order, and fresh. */
  mnistAfter: number[];
  mnistFresh?: number;
}

/** Resolves once no retrain is pending or running (the automatic policy's timer included). */
async function settled(recognizer: Recognizer): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  while (recognizer.retraining) {
    await new Promise<void>((resolve) => {
      const offs = [
        recognizer.on('retrain-finished', () => done()),
        recognizer.on('retrain-rejected', () => done()),
        recognizer.on('retrain-failed', () => done()),
      ];
      const done = () => {
        for (const off of offs) off();
        resolve();
      };
    });
    // The next run (queued corrections) starts on a later task.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

async function mnistThroughPredict(recognizer: Recognizer, mnist: ReturnType<typeof loadMnist>) {
  let right = 0;
  for (let start = 0; start < mnist.count; start += 500) {
    const inputs = Array.from({ length: Math.min(500, mnist.count - start) }, (_, i) =>
      mnistDigit(mnist, start + i),
    );
    const predictions = await recognizer.predictBatch(inputs);
    predictions.forEach((p, i) => {
      if (p.digit === mnist.labels[start + i]) right++;
    });
  }
  return (100 * right) / mnist.count;
}

async function streams(
  writers: Map<string, PenDigit[]>,
  names: string[],
  options: { orders: number; digits: number; seeds: number[]; consolidateAfter?: number },
): Promise<StreamTally> {
  const tally: StreamTally = {
    streams: 0,
    predictions: 0,
    evaluated: 0,
    baselineErrors: 0,
    treatedErrors: 0,
    fixed: 0,
    repeats: 0,
    repeatsFixed: 0,
    introducedBy: new Map(),
    corrections: 0,
    retrains: 0,
    accepted: 0,
    mnistAfter: [],
  };
  const mnist = options.consolidateAfter === undefined ? undefined : loadMnist('test', MNIST_CHECK);
  const uncorrected = await createRecognizer();
  // The uncorrected recogniser's first batch builds what it keeps for good; count after it.
  let tensorsAtStart = -1;
  try {
    if (mnist) tally.mnistFresh = await mnistThroughPredict(uncorrected, mnist);
    for (const [name, seed] of names.flatMap((name) => options.seeds.map((seed) => [name, seed] as const))) {
      const own = (writers.get(name) ?? []).slice(0, options.digits);
      // Half on white, half on transparent canvases, alternating through the writer's digits.
      const drawings = new Map(
        own.map((d, i) => [d, drawOnPad(d, i % 2 === 0 ? 'dark-on-white' : 'transparent', seed)]),
      );
      const baseline = new Map<PenDigit, number>();
      const read = await uncorrected.predictBatch([...drawings.values()]);
      if (tensorsAtStart < 0) tensorsAtStart = tf.memory().numTensors;
      own.forEach((d, i) => {
        baseline.set(d, read[i]?.digit ?? -1);
      });
      for (let o = 0; o < options.orders; o++) {
        const stream = order(own, o);
        const half = Math.floor(stream.length / 2);
        const recognizer = await createRecognizer(
          options.consolidateAfter === undefined
            ? {}
            : { retrain: { afterCorrections: options.consolidateAfter, debounceMs: 0 } },
        );
        recognizer.on('retrain-finished', () => {
          tally.retrains++;
          tally.accepted++;
        });
        recognizer.on('retrain-rejected', () => {
          tally.retrains++;
        });
        /** Digits (labels) the uncorrected recogniser has misread so far in this stream. */
        const misreadBefore = new Set<number>();
        try {
          for (const [i, digit] of stream.entries()) {
            const drawing = drawings.get(digit) as Drawing;
            const { digit: predicted } = await recognizer.predict(drawing);
            const before = baseline.get(digit);
            tally.predictions++;
            if (before === digit.label && predicted !== digit.label)
              tally.introducedBy.set(name, (tally.introducedBy.get(name) ?? 0) + 1);
            if (i >= half) {
              tally.evaluated++;
              if (before !== digit.label) tally.baselineErrors++;
              if (predicted !== digit.label) tally.treatedErrors++;
              if (before !== digit.label && predicted === digit.label) tally.fixed++;
              if (before !== digit.label && misreadBefore.has(digit.label)) {
                tally.repeats++;
                if (predicted === digit.label) tally.repeatsFixed++;
              }
            }
            if (before !== digit.label) misreadBefore.add(digit.label);
            if (predicted === digit.label) continue;
            await recognizer.correct(drawing, digit.label);
            tally.corrections++;
            await settled(recognizer);
          }
          if (mnist && o === 0 && seed === options.seeds[0])
            tally.mnistAfter.push(await mnistThroughPredict(recognizer, mnist));
        } finally {
          recognizer.dispose();
        }
        tally.streams++;
      }
    }
    const leaked = tf.memory().numTensors - tensorsAtStart;
    if (leaked !== 0) throw new Error(`${leaked} tensors leaked over the streams`);
  } finally {
    uncorrected.dispose();
  }
  return tally;
}

/**
 * A first consolidation, as a user meets it: each writer's first `count` misread drawings (in
 * their own order, through the geometries in turn) corrected in a fresh recogniser, then one
 * `retrain()`. Reports whether the gate accepts it, how many of the corrections the candidate
 * fits, how the writer's other drawings read (memory alone, then consolidated, against the
 * uncorrected recogniser) and MNIST through `predict` after it.
 */
async function firstConsolidations(
  writers: Map<string, PenDigit[]>,
  names: string[],
  options: { digits: number; seeds: number[]; count: number },
  group: string,
): Promise<Figure[]> {
  const mnist = loadMnist('test', MNIST_CHECK);
  const uncorrected = await createRecognizer();
  const tally = { runs: 0, accepted: 0, fit: 0, others: 0, uncorrected: 0, memory: 0, consolidated: 0 };
  const introduced = { memory: 0, consolidated: 0 };
  const mnistBefore: number[] = [];
  const mnistAfter: number[] = [];
  let tensorsAtStart = -1;
  try {
    const fresh = await mnistThroughPredict(uncorrected, mnist);
    for (const name of names) {
      const own = (writers.get(name) ?? []).slice(0, options.digits);
      const drawings = options.seeds.flatMap((seed) =>
        own.map((digit, i) => ({
          digit,
          drawing: drawOnPad(digit, i % 2 === 0 ? 'dark-on-white' : 'transparent', seed),
        })),
      );
      const read = await uncorrected.predictBatch(drawings.map((d) => d.drawing));
      if (tensorsAtStart < 0) tensorsAtStart = tf.memory().numTensors;
      // Each drawing with what the uncorrected recogniser reads it as.
      const seen = drawings.map((d, i) => ({ ...d, uncorrected: read[i]?.digit }));
      const misread = seen.filter((d) => d.uncorrected !== d.digit.label).slice(0, options.count);
      if (misread.length < options.count) continue;
      const others = seen.filter((d) => !misread.includes(d));
      const recognizer = await createRecognizer();
      try {
        for (const { drawing, digit } of misread) await recognizer.correct(drawing, digit.label);
        const tallyReads = async (into: 'memory' | 'consolidated') => {
          const now = await recognizer.predictBatch(others.map((d) => d.drawing));
          now.forEach((p, i) => {
            const { digit, uncorrected } = others[i] as (typeof others)[number];
            if (p.digit !== digit.label) tally[into]++;
            if (p.digit !== digit.label && uncorrected === digit.label) introduced[into]++;
          });
        };
        await tallyReads('memory');
        mnistBefore.push(await mnistThroughPredict(recognizer, mnist));
        const outcome = await recognizer.retrain();
        tally.runs++;
        if (outcome.accepted) tally.accepted++;
        tally.fit += outcome.metrics.correctionsFit;
        await tallyReads('consolidated');
        mnistAfter.push(await mnistThroughPredict(recognizer, mnist));
      } finally {
        recognizer.dispose();
      }
      tally.others += others.length;
      tally.uncorrected += others.filter((d) => d.uncorrected !== d.digit.label).length;
    }
    const leaked = tf.memory().numTensors - tensorsAtStart;
    if (tensorsAtStart >= 0 && leaked !== 0)
      throw new Error(`${leaked} tensors leaked over the consolidations`);
    const bench = 'real-writers';
    const label = `a first consolidation of ${options.count} corrections`;
    const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const mean = meanOf(mnistAfter);
    return [
      {
        bench,
        metric: `${label}: retrains accepted`,
        value: percent(tally.accepted, tally.runs),
        unit: '%',
        detail: `${tally.accepted} of ${tally.runs} (the ${group} with ${options.count} or more misread drawings, their first ${options.count} corrected); the candidates fit ${percent(tally.fit, tally.runs).toFixed(1)}% of the corrections on average (the gate asks 80%)`,
      },
      {
        bench,
        metric: `${label}: the writer's other drawings misread`,
        value: percent(tally.consolidated, tally.others),
        unit: '%',
        detail: `${tally.consolidated} of ${tally.others} after the retrain (${introduced.consolidated} the uncorrected recogniser reads right); before it, with the corrections in memory, ${tally.memory} (${introduced.memory}); uncorrected ${tally.uncorrected}`,
      },
      {
        bench,
        metric: `${label}: MNIST accuracy change through predict`,
        value: mean - fresh,
        unit: 'points',
        detail: `mean over ${mnistAfter.length} writers, ${MNIST_CHECK} test digits: ${fresh.toFixed(2)}% → ${mean.toFixed(2)}% (worst ${Math.min(...mnistAfter).toFixed(2)}%); with the corrections in memory before the retrain ${meanOf(mnistBefore).toFixed(2)}%`,
      },
    ];
  } finally {
    uncorrected.dispose();
  }
}

/** Whom errors come from: a figure resting mostly on one writer's glyphs says so. */
function byWhom(counts: Map<string, number>): string {
  if (counts.size === 0) return '';
  const most = Math.max(...counts.values());
  return counts.size === 1 ? '; all by one writer' : `; by ${counts.size} writers, ${most} of them by one`;
}

function streamFigures(tally: StreamTally, label: string, group: string): Figure[] {
  const bench = 'real-writers';
  const introduced = [...tally.introducedBy.values()].reduce((a, b) => a + b, 0);
  const perThousand = (1000 * introduced) / tally.predictions;
  const figures: Figure[] = [
    {
      bench,
      metric: `${label}: fewer second-half errors than uncorrected`,
      value: 100 * (1 - tally.treatedErrors / tally.baselineErrors),
      unit: '%',
      detail: `${tally.treatedErrors} errors left of ${tally.baselineErrors} in ${tally.evaluated} second-half drawings; ${group}, ${tally.streams} streams; ${tally.corrections} corrections`,
    },
    {
      bench,
      metric: `${label}: uncorrected errors fixed`,
      value: percent(tally.fixed, tally.baselineErrors),
      unit: '%',
      detail: `${tally.fixed} of ${tally.baselineErrors}`,
    },
    {
      bench,
      metric: `${label}: repeat errors fixed`,
      value: percent(tally.repeatsFixed, tally.repeats),
      unit: '%',
      detail: `${tally.repeatsFixed} of ${tally.repeats}: the second-half errors on a digit the uncorrected recogniser had already misread earlier in the stream, so a correction preceded them (the other ${tally.baselineErrors - tally.repeats} are a first misread of that digit)`,
    },
    {
      bench,
      metric: `${label}: errors introduced per 1,000 predictions`,
      value: perThousand,
      unit: '‰',
      detail: `${introduced} drawings the uncorrected recogniser reads right, in ${tally.predictions} predictions${byWhom(tally.introducedBy)}`,
    },
  ];
  if (tally.mnistFresh !== undefined && tally.mnistAfter.length > 0) {
    const mean = tally.mnistAfter.reduce((a, b) => a + b, 0) / tally.mnistAfter.length;
    const worst = Math.min(...tally.mnistAfter);
    figures.push({
      bench,
      metric: `${label}: MNIST accuracy change through predict`,
      value: mean - tally.mnistFresh,
      unit: 'points',
      detail: `mean over ${tally.mnistAfter.length} writers' first order, ${MNIST_CHECK} test digits: ${tally.mnistFresh.toFixed(2)}% → ${mean.toFixed(2)}% (worst ${worst.toFixed(2)}%); ${tally.accepted} of ${tally.retrains} retrains accepted`,
    });
  }
  return figures;
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      data: { type: 'string' },
      writers: { type: 'string', default: 'checking' },
      orders: { type: 'string', default: '5' },
      drawings: { type: 'string', default: '4' },
      digits: { type: 'string', default: '200' },
      'consolidate-after': { type: 'string' },
      'drawing-seed': { type: 'string', default: String(DRAWING_SEED) },
      skip: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.data === undefined) {
    console.error(`real-writers ${PEN_DIGITS_HELP}`);
    process.exitCode = 2;
    return;
  }
  const orders = Number(values.orders);
  const seed = Number(values['drawing-seed']);
  if (!Number.isInteger(seed)) throw new RangeError('--drawing-seed must be an integer');
  const geometries = Number(values.drawings);
  if (!(Number.isInteger(geometries) && geometries >= 1))
    throw new RangeError('--drawings must be a positive integer');
  const digits = Number(values.digits);
  const consolidateAfter =
    values['consolidate-after'] === undefined ? undefined : Number(values['consolidate-after']);
  if (!(Number.isInteger(orders) && orders >= 1) || !(Number.isInteger(digits) && digits >= 2))
    throw new RangeError('--orders must be a positive integer and --digits an integer of at least 2');
  if (consolidateAfter !== undefined && !(Number.isInteger(consolidateAfter) && consolidateAfter >= 1))
    throw new RangeError('--consolidate-after must be a positive integer');

  const all = loadPenDigits(values.data);
  const writers = byWriter(all);
  const split = splitWriters(all);
  const group =
    values.writers === 'held-out'
      ? split.heldOut
      : values.writers === 'tuning'
        ? split.streamTuning
        : values.writers === 'all'
          ? [...split.streamTuning, ...split.streamChecking]
          : split.streamChecking;
  const groupName = `${group.length} ${values.writers === 'all' ? 'stream' : values.writers} writers`;
  const figures: Figure[] = [];
  const started = performance.now();
  const notTrained = [...split.heldOut, ...split.streamTuning, ...split.streamChecking];
  if (!values.skip.includes('accuracy')) {
    figures.push(...(await accuracy(writers, notTrained, digits, seed)));
  }
  const seeds = Array.from({ length: geometries }, (_, k) => seed + k);
  if (!values.skip.includes('streams')) {
    const counts = { orders, digits, seeds };
    figures.push(
      ...streamFigures(await streams(writers, group, counts), 'correcting every error', groupName),
    );
    if (consolidateAfter !== undefined) {
      figures.push(
        ...streamFigures(
          await streams(writers, group, { ...counts, consolidateAfter }),
          `… with retrain every ${consolidateAfter} corrections`,
          groupName,
        ),
      );
    }
  }
  if (consolidateAfter !== undefined) {
    // Every writer not trained on: few have that many misread drawings, and no rule is chosen here.
    figures.push(
      ...(await firstConsolidations(
        writers,
        notTrained,
        { digits, seeds, count: consolidateAfter },
        `${notTrained.length} writers not trained on`,
      )),
    );
  }
  figures.push({
    bench: 'real-writers',
    metric: 'run time',
    value: (performance.now() - started) / 1000,
    unit: 's',
    detail: `${all.length} pen digits by ${writers.size} writers; ${orders} orders of at most ${digits} digits, each drawn with ${geometries} canvas geometries, per stream writer`,
  });
  printFigures(figures, options.json);
}
