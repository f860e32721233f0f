/**
 * `npm run bench -- simulated-writers [--json] [--writers 8] [--digits 200] [--retrain-every N]`
 *
 * A development aid, not a measure of real people (that is `real-writers`): how much a recogniser
 * adapts to a synthetic writer's handwriting from their corrections. Each simulated
 * writer (test-utils `createWriter`, styles the shipped model finds hard) writes a stream of
 * digits into a fresh recogniser; every misread digit is corrected with its true label, as a user
 * would. The error rate on the second half of the stream is compared with the same stream read
 * without corrections. Target: at least 50% fewer errors.
 *
 * With `--retrain-every N`, `recognizer.retrain()` is awaited after every N corrections, when the
 * recogniser has such a method, to measure consolidation into the weights.
 */
import { parseArgs } from 'node:util';
import { createRecognizer, type Recognizer } from '../packages/core/src/index.js';
import { createWriter } from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

/** The stream every writer writes; fixed so that runs compare. */
const STREAM_SEED = 1;

interface WriterResult {
  seed: number;
  /** Misread digits in the second half without corrections. */
  baselineErrors: number;
  /** Misread digits in the second half while correcting every misread digit. */
  correctedErrors: number;
  /** Digits in the second half. */
  evaluated: number;
  corrections: number;
  retrains: number;
  /** Retrains whose candidate passed the validation gate. */
  accepted: number;
  habits: string;
}

async function runWriter(
  seed: number,
  count: number,
  retrainEvery: number | undefined,
): Promise<WriterResult> {
  const writer = createWriter(seed);
  const samples = writer.stream(count, STREAM_SEED);
  const firstEvaluated = Math.floor(count / 2);
  const recognizer: Recognizer = await createRecognizer();
  try {
    // Without corrections the order does not matter: one batch before any correction is made.
    const baseline = await recognizer.predictBatch(samples.map((s) => s.image));
    const baselineErrors = baseline.filter(
      (p, i) => i >= firstEvaluated && p.digit !== samples[i]?.digit,
    ).length;

    let correctedErrors = 0;
    let corrections = 0;
    let retrains = 0;
    let accepted = 0;
    for (const [i, { digit, image }] of samples.entries()) {
      // The user sees this prediction; a wrong one counts even though it is corrected next.
      const { digit: predicted } = await recognizer.predict(image);
      if (predicted === digit) continue;
      if (i >= firstEvaluated) correctedErrors++;
      await recognizer.correct(image, digit);
      corrections++;
      if (retrainEvery !== undefined && corrections % retrainEvery === 0) {
        if ((await recognizer.retrain()).accepted) accepted++;
        retrains++;
      }
    }
    const { slant, widthScale, glyphs } = writer.style;
    return {
      seed,
      baselineErrors,
      correctedErrors,
      evaluated: count - firstEvaluated,
      corrections,
      retrains,
      accepted,
      habits: `slant ${slant.toFixed(2)}, width ${widthScale.toFixed(2)}, ${glyphs.map((g, d) => `${d}:${g}`).join(' ')}`,
    };
  } finally {
    recognizer.dispose();
  }
}

/** Share of errors removed by corrections, in %; NaN when there were none to remove. */
const reduction = (baseline: number, corrected: number) =>
  baseline === 0 ? Number.NaN : 100 * (1 - corrected / baseline);

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      writers: { type: 'string', default: '8' },
      digits: { type: 'string', default: '200' },
      'retrain-every': { type: 'string' },
    },
  });
  const writers = Number(values.writers);
  const count = Number(values.digits);
  const retrainEvery = values['retrain-every'] === undefined ? undefined : Number(values['retrain-every']);
  if (!(Number.isInteger(writers) && writers > 0) || !(Number.isInteger(count) && count >= 2)) {
    throw new RangeError('--writers must be a positive integer and --digits an integer of at least 2');
  }
  if (retrainEvery !== undefined && !(Number.isInteger(retrainEvery) && retrainEvery > 0)) {
    throw new RangeError('--retrain-every must be a positive integer');
  }

  const started = performance.now();
  const results: WriterResult[] = [];
  for (let seed = 0; seed < writers; seed++) results.push(await runWriter(seed, count, retrainEvery));
  const seconds = (performance.now() - started) / 1000;

  const half = `digits ${Math.floor(count / 2) + 1}–${count}`;
  const figures: Figure[] = results.flatMap((r): Figure[] => [
    {
      bench: 'simulated-writers',
      metric: `writer ${r.seed}: error without corrections`,
      value: (100 * r.baselineErrors) / r.evaluated,
      unit: '%',
      detail: `${r.baselineErrors}/${r.evaluated} on ${half}; ${r.habits}`,
    },
    {
      bench: 'simulated-writers',
      metric: `writer ${r.seed}: error with corrections`,
      value: (100 * r.correctedErrors) / r.evaluated,
      unit: '%',
      detail: `${r.correctedErrors}/${r.evaluated}; ${r.corrections} corrections over the ${count} digits${retrainEvery === undefined ? '' : `, ${r.retrains} retrains`}`,
    },
    {
      bench: 'simulated-writers',
      metric: `writer ${r.seed}: errors removed`,
      value: reduction(r.baselineErrors, r.correctedErrors),
      unit: '%',
      detail: r.baselineErrors === 0 ? 'no errors to remove' : 'target ≥ 50%',
    },
  ]);
  const sum = (pick: (r: WriterResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const evaluated = sum((r) => r.evaluated);
  const baselineErrors = sum((r) => r.baselineErrors);
  const correctedErrors = sum((r) => r.correctedErrors);
  const withErrors = results.filter((r) => r.baselineErrors > 0);
  const retrainNote =
    retrainEvery === undefined
      ? 'no retraining'
      : `retrain() every ${retrainEvery} corrections (${sum((r) => r.accepted)} of ${sum((r) => r.retrains)} accepted)`;
  figures.push(
    {
      bench: 'simulated-writers',
      metric: 'all writers: error without corrections',
      value: (100 * baselineErrors) / evaluated,
      unit: '%',
      detail: `${baselineErrors}/${evaluated} on ${half} of each of ${writers} writers`,
    },
    {
      bench: 'simulated-writers',
      metric: 'all writers: error with corrections',
      value: (100 * correctedErrors) / evaluated,
      unit: '%',
      detail: `${correctedErrors}/${evaluated}; ${sum((r) => r.corrections)} corrections, ${retrainNote}`,
    },
    {
      bench: 'simulated-writers',
      metric: 'all writers: errors removed',
      value: reduction(baselineErrors, correctedErrors),
      unit: '%',
      detail: `target ≥ 50%; ${withErrors.filter((r) => reduction(r.baselineErrors, r.correctedErrors) >= 50).length} of ${withErrors.length} writers with errors reach it`,
    },
    {
      bench: 'simulated-writers',
      metric: 'run time',
      value: seconds,
      unit: 's',
      detail: `${writers} writers x ${count} digits, one fresh recogniser each (memory store)`,
    },
  );
  printFigures(figures, options.json);
}
