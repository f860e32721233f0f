/**
 * The benchmark table of README.md (the headline rows) and docs/benchmarks.md (every row),
 * written between `<!-- bench:start -->` and `<!-- bench:end -->` from the benchmarks' results by
 * `npm run docs:figures`. Nothing in it is typed by hand: a figure missing from the results shows
 * as "not measured". Every row names the data it was measured on.
 */
import type { Machine } from '../bench/machine.js';
import type { Figure } from '../bench/report.js';
import { figureKey, formatFigure, type Results } from './figures.js';

export const TABLE_START = '<!-- bench:start -->';
export const TABLE_END = '<!-- bench:end -->';

/** What a row was measured on, as the table names it. */
const DATA = {
  real: 'real writers',
  realNumbers: 'real writers, digits set side by side',
  simulated: 'simulated writers',
  redrawn: 're-drawn MNIST',
  mnist: 'MNIST test',
  mnistTrain: 'MNIST training digits',
  browser: 'the web demo in Chromium',
  server: 're-drawn MNIST as PNGs over HTTP',
  killed: 'file stores, writer processes SIGKILLed',
  chromium: 'MNIST training digits, in headless Chromium',
  hostile: 'a crafted 68-byte PNG',
} as const;

interface Row {
  /** Benchmark and metric as the bench prints them. */
  bench: string;
  metric: string;
  /** What the row is called in the table. */
  label: string;
  data: (typeof DATA)[keyof typeof DATA];
  target: string;
  /** Returns whether the value meets the target; absent for a row without one. */
  meets?: (value: number) => boolean;
  /** Also in the README's short table. */
  headline?: boolean;
}

/** Real-writer rows first: they are what a user's drawings look like. */
const ROWS: Row[] = [
  {
    bench: 'real-writers',
    metric: 'real pen digits drawn on a canvas, accuracy',
    label: 'digits drawn on a canvas, writers not trained on',
    data: DATA.real,
    target: '≥ 98.5%',
    meets: (v) => v >= 98.5,
    headline: true,
  },
  {
    bench: 'numbers',
    metric: 'separate digits: whole numbers read exactly',
    label: 'numbers of 2–6 separate digits, read whole',
    data: DATA.realNumbers,
    target: '≥ 97%',
    meets: (v) => v >= 97,
    headline: true,
  },
  {
    bench: 'numbers',
    metric: 'touching digits: whole numbers read exactly',
    label: '… touching digits, read whole',
    data: DATA.realNumbers,
    target: '≥ 85%',
    meets: (v) => v >= 85,
    headline: true,
  },
  {
    bench: 'numbers',
    metric: 'overlapping digits: whole numbers read exactly',
    label: '… slightly overlapping digits, read whole',
    data: DATA.realNumbers,
    target: '≥ 85%',
    meets: (v) => v >= 85,
  },
  {
    bench: 'real-writers',
    metric: 'correcting every error: fewer second-half errors than uncorrected',
    label: 'correcting every error: fewer errors in the second half of a writer’s stream',
    data: DATA.real,
    target: '≥ 75%',
    meets: (v) => v >= 75,
    headline: true,
  },
  {
    bench: 'real-writers',
    metric: 'correcting every error: repeat errors fixed',
    label: '… of those errors, the ones a correction of the same digit preceded: fixed',
    data: DATA.real,
    target: '—',
    headline: true,
  },
  {
    bench: 'real-writers',
    metric: 'correcting every error: errors introduced per 1,000 predictions',
    label: '… drawings read right before and wrong after, per 1,000 predictions',
    data: DATA.real,
    target: '≤ 1',
    meets: (v) => v <= 1,
  },
  {
    bench: 'real-writers',
    metric: '… with retrain every 5 corrections: fewer second-half errors than uncorrected',
    label: '… with a retrain after every 5 corrections: fewer second-half errors',
    data: DATA.real,
    target: '≥ 75%',
    meets: (v) => v >= 75,
  },
  {
    bench: 'real-writers',
    metric: '… with retrain every 5 corrections: MNIST accuracy change through predict',
    label: '… MNIST accuracy change through `predict` at the end of such a stream',
    data: DATA.real,
    target: '≥ −0.3 points',
    meets: (v) => v >= -0.3,
  },
  {
    bench: 'real-writers',
    metric: 'a first consolidation of 5 corrections: retrains accepted',
    label: "a writer's first 5 corrections consolidated: retrains the gate accepts",
    data: DATA.real,
    target: '—',
  },
  {
    bench: 'real-writers',
    metric: "a first consolidation of 5 corrections: the writer's other drawings misread",
    label: "… the writer's other drawings misread after it",
    data: DATA.real,
    target: '—',
  },
  {
    bench: 'real-writers',
    metric: 'a first consolidation of 5 corrections: MNIST accuracy change through predict',
    label: '… MNIST accuracy change through `predict` after it',
    data: DATA.real,
    target: '≥ −0.3 points',
    meets: (v) => v >= -0.3,
  },
  {
    bench: 'simulated-writers',
    metric: 'all writers: errors removed',
    label: 'hard writers: errors removed by correcting them (a development aid)',
    data: DATA.simulated,
    target: '≥ 50%',
    meets: (v) => v >= 50,
  },
  {
    bench: 'accuracy',
    metric: 'MNIST test accuracy',
    label: 'MNIST test accuracy (10,000 digits)',
    data: DATA.mnist,
    target: '≥ 99.6%',
    meets: (v) => v >= 99.6,
    headline: true,
  },
  {
    bench: 'accuracy',
    metric: 'canvas benchmark accuracy',
    label: 'MNIST digits drawn on a 280x280 canvas by a program',
    data: DATA.redrawn,
    target: '≥ 99.0%',
    meets: (v) => v >= 99,
  },
  {
    bench: 'learning',
    metric: 'corrected input predicted as corrected',
    label: 'a corrected drawing predicted as corrected, at once',
    data: DATA.mnist,
    target: '100%',
    meets: (v) => v >= 100,
    headline: true,
  },
  {
    bench: 'learning',
    metric: 'small variants predicted as corrected',
    label: 'its small variants (±1–2 px, ±10°) likewise',
    data: DATA.mnist,
    target: '≥ 90%',
    meets: (v) => v >= 90,
  },
  {
    bench: 'numbers',
    metric: 'after correctNumber, the same drawing reads as corrected',
    label: 'a number read again after `correctNumber` reads as corrected',
    data: DATA.realNumbers,
    target: '100%',
    meets: (v) => v >= 100,
  },
  {
    bench: 'latency',
    metric: 'predict(280x280 RGBA canvas) median',
    label: '`predict` on a 280x280 canvas, median',
    data: DATA.redrawn,
    target: '≤ 2 ms',
    meets: (v) => v <= 2,
    headline: true,
  },
  {
    bench: 'latency',
    metric: 'predict(280x280 RGBA canvas) p95',
    label: '`predict` on a 280x280 canvas, p95',
    data: DATA.redrawn,
    target: '≤ 5 ms',
    meets: (v) => v <= 5,
  },
  {
    bench: 'latency',
    metric: 'predict with 10000 corrections, median',
    label: '… with 10,000 corrections in effect',
    data: DATA.redrawn,
    target: '≤ 2 ms',
    meets: (v) => v <= 2,
  },
  {
    bench: 'latency',
    metric: 'correct with 10000 corrections, median',
    label: '`correct()` with 10,000 corrections in effect, median',
    data: DATA.redrawn,
    target: '≤ 5 ms',
    meets: (v) => v <= 5,
  },
  {
    bench: 'learning',
    metric: 'correct() median',
    label: '`correct()` median (memory store)',
    data: DATA.mnist,
    target: '≤ 20 ms',
    meets: (v) => v <= 20,
    headline: true,
  },
  {
    bench: 'numbers',
    metric: 'readNumber(840x280 RGBA, 4 separate digits) median',
    label: '`readNumber` on an 840x280 canvas with 4 digits, median',
    data: DATA.realNumbers,
    target: '≤ 10 ms',
    meets: (v) => v <= 10,
  },
  {
    bench: 'numbers',
    metric: 'readNumber(840x280 RGBA, 4 touching digits) median',
    label: '… the same 4 digits touching (cut and read again), median',
    data: DATA.realNumbers,
    target: '—',
  },
  {
    bench: 'web-demo',
    metric: 'first correction after load shown',
    label: 'first correction after load shown on screen',
    data: DATA.browser,
    target: '≤ 150 ms',
    meets: (v) => v <= 150,
  },
  {
    bench: 'training-parallel',
    metric: 'seed.workers0.samplesPerSecond',
    label: 'training the original app’s CNN on wasm with our kernels (batch 64), one thread',
    data: DATA.mnistTrain,
    target: '≥ 120',
    meets: (v) => v >= 120,
  },
  {
    bench: 'training-parallel',
    metric: 'seed.workers1.samplesPerSecond',
    label: '… on both cores (a gradient worker beside the training thread)',
    data: DATA.mnistTrain,
    target: '≥ 200',
    meets: (v) => v >= 200,
  },
  {
    bench: 'training',
    metric: 'seed speed-up vs stock cpu',
    label: '… its speed against stock tfjs on `cpu`, one thread (Adam)',
    data: DATA.mnistTrain,
    target: '≥ 30x',
    meets: (v) => v >= 30,
  },
  {
    bench: 'consolidation',
    metric: 'retrain on 50 corrections',
    label: '`retrain()` on 50 corrections',
    data: DATA.simulated,
    target: '≤ 5 s',
    meets: (v) => v <= 5,
  },
  {
    bench: 'consolidation',
    metric: 'MNIST accuracy change of the weights, 500 corrections consolidated',
    label: 'MNIST accuracy change of the weights after consolidating 500 hard corrections',
    data: DATA.simulated,
    target: '≥ −0.3 points',
    meets: (v) => v >= -0.3,
  },
  {
    bench: 'consolidation',
    metric: 'MNIST accuracy change, 500 corrections consolidated',
    label: '… through `predict` (the weights plus the correction memory)',
    data: DATA.simulated,
    target: '≥ −0.3 points',
    meets: (v) => v >= -0.3,
  },
  {
    bench: 'consolidation',
    metric: 'label flip: worst per-digit recall drop after a retrain',
    label: '30% label-flip attack: worst per-digit recall drop',
    data: DATA.redrawn,
    target: '≤ 2 points',
    meets: (v) => v <= 2,
  },
  {
    bench: 'browser-retrain',
    metric: 'worker, run 1 (cold): longest main-thread task',
    label:
      '`retrain()` of 50 corrections in a Web Worker, a page’s first: longest main-thread task over 50 ms (0: none)',
    data: DATA.chromium,
    target: '≤ 50 ms',
    meets: (v) => v <= 50,
  },
  {
    bench: 'browser-retrain',
    metric: 'worker, run 2: longest main-thread task',
    label: '… the next run',
    data: DATA.chromium,
    target: '≤ 50 ms',
    meets: (v) => v <= 50,
  },
  {
    bench: 'browser-retrain',
    metric: 'worker, run 2: retrain()',
    label: '… how long the next run takes',
    data: DATA.chromium,
    target: '≤ 5 s',
    meets: (v) => v <= 5000,
  },
  {
    bench: 'server',
    metric: 'idle: predictions/s',
    label: 'HTTP server: predictions/s (280x280 PNGs, 8 connections)',
    data: DATA.server,
    target: '≥ 300/s',
    meets: (v) => v >= 300,
  },
  {
    bench: 'server',
    metric: 'idle: latency p99',
    label: '… p99 latency at that load',
    data: DATA.server,
    target: '≤ 50 ms',
    meets: (v) => v <= 50,
  },
  {
    bench: 'server',
    metric: 'during retrain: latency p99',
    label: '… p99 latency while retraining',
    data: DATA.server,
    target: '≤ 100 ms',
    meets: (v) => v <= 100,
  },
  {
    bench: 'decode',
    metric: 'reject 65535x65535-header PNG median',
    label: '`decodeImage`: a PNG declaring 65535x65535 px refused, median',
    data: DATA.hostile,
    target: '< 10 ms',
    meets: (v) => v < 10,
  },
  {
    bench: 'decode',
    metric: 'peak RSS growth over the rejections',
    label: '… the process’s peak memory growth over 1,000 such refusals',
    data: DATA.hostile,
    target: 'no large allocation',
    meets: (v) => v < 64,
  },
  {
    bench: 'durability',
    metric: 'appends.kills',
    label: 'correction store: writers killed while appending',
    data: DATA.killed,
    target: '1,000 kills',
    meets: (v) => v >= 1000,
  },
  {
    bench: 'durability',
    metric: 'appends.lost',
    label: '… acknowledged corrections lost',
    data: DATA.killed,
    target: '0',
    meets: (v) => v === 0,
  },
  {
    bench: 'durability',
    metric: 'appends.corrupt',
    label: '… stores that failed to open or read back wrong',
    data: DATA.killed,
    target: '0',
    meets: (v) => v === 0,
  },
  {
    bench: 'durability',
    metric: 'saves.lost',
    label: 'model store, writers killed while saving: loads neither the old nor the new version',
    data: DATA.killed,
    target: '0',
    meets: (v) => v === 0,
  },
  {
    bench: 'consolidation',
    metric: 'tensors leaked',
    label: 'tensors leaked, 1,000 corrections and 20 retrains',
    data: DATA.mnistTrain,
    target: '0',
    meets: (v) => v === 0,
  },
];

/** The machine, as every table and figure's caption states it. */
export function machineLine(machine: Machine | undefined): string {
  if (!machine) return 'Machine not recorded.';
  const node = machine.node.replace(/^v/, '');
  return `Measured ${machine.date} on a ${machine.cores}-core ${machine.cpu} (${machine.memoryGiB} GiB), Node.js ${node} (${machine.platform}), wasm backend, no GPU.`;
}

/** What the real-writer rows rest on (writers, drawings, errors), from the figures' own details. */
function restsOn(results: Results): string[] {
  const real = ROWS.filter((row) => row.bench === 'real-writers')
    .map((row) => results.get(figureKey(row.bench, row.metric)))
    .filter((f): f is Figure => f?.detail !== undefined);
  if (real.length === 0) return [];
  return [
    'What the real-writer rows rest on (pen digits of the UNIPEN development set by writers the model was not trained on; a development figure, the acceptance writers are others):',
    '',
    ...real.map((f) => `- ${f.metric}: ${f.detail}`),
    '',
  ];
}

/**
 * The table as Markdown. `guide`: the benchmarks guide's address as seen from the page the table
 * goes in; `full`: every row and what the real-writer rows rest on, else the headline rows.
 */
export function renderBenchTable(
  results: Results,
  machine: Machine | undefined,
  { guide, full }: { guide: string; full: boolean },
): string {
  const rows = full ? ROWS : ROWS.filter((row) => row.headline);
  return [
    '| measure | data | crazy-digits | target |',
    '|---|---|---|---|',
    ...rows.map((row) => {
      const figure = results.get(figureKey(row.bench, row.metric));
      const mark = row.meets === undefined ? '' : row.meets(figure?.value ?? Number.NaN) ? ' ✓' : ' ✗';
      const value = figure ? `${formatFigure(figure)}${mark}` : 'not measured';
      return `| ${row.label} | ${row.data} | ${value} | ${row.target} |`;
    }),
    '',
    ...(full ? restsOn(results) : []),
    `${machineLine(machine)} The data: *real writers* are pen-drawn digits of the UNIPEN set, *simulated writers* are synthetic, *re-drawn MNIST* is MNIST digits drawn on a canvas by a program. ${
      full
        ? 'What each benchmark measures: below.'
        : `Every row and what each measures: [benchmarks](${guide}).`
    }`,
  ].join('\n');
}

/** `text` with the table between its markers replaced, or undefined when it has no markers. */
export function replaceBenchTable(text: string, table: string): string | undefined {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return `${text.slice(0, start + TABLE_START.length)}\n${table}\n${text.slice(end)}`;
}

/** The pages holding the table, with how each shows it. */
export const TABLE_PAGES: Record<string, { guide: string; full: boolean }> = {
  'README.md': { guide: 'docs/benchmarks.md', full: false },
  'docs/benchmarks.md': { guide: 'benchmarks.md', full: true },
};
