import {
  createRecognizer,
  type Recognizer,
  type RetrainMetrics,
  type RetrainOutcome,
  type RetrainProgress,
} from '@crazy-digits/core';
import { BACKEND_HELP, type Command, DATA_HELP } from '../command.js';
import { openDataDir, parseBackend } from '../data.js';
import { EXIT } from '../errors.js';
import { InterruptedError, interruptOnCtrlC } from '../interrupt.js';
import {
  backendOptions,
  dataOptions,
  jsonOptions,
  type Output,
  parseCommandArgs,
  pathFrom,
  println,
  rejectPositionals,
} from '../io.js';

/** Progress on stderr: one line redrawn on a terminal, a line per phase otherwise. */
function progressPrinter(out: Output): { onProgress(progress: RetrainProgress): void; end(): void } {
  let phase: string | undefined;
  let open = false;
  return {
    onProgress(progress) {
      const name = progress.phase;
      const percent = ` ${Math.round(progress.fraction * 100)}%`;
      if (out.isTTY) {
        out.write(`\r${name}${percent}\u001b[K`);
        open = true;
      } else if (name !== phase) {
        out.write(`${name}${percent}\n`);
      }
      phase = name;
    },
    end() {
      if (open) out.write('\n');
      open = false;
    },
  };
}

const formatMetrics = (metrics: RetrainMetrics): string[] =>
  Object.entries(metrics).flatMap(([name, value]) =>
    typeof value === 'number' ? [`${name} ${Number(value.toFixed(4))}`] : [],
  );

export const retrainCommand: Command = {
  name: 'retrain',
  synopsis: '',
  summary: 'consolidate stored corrections into a new model version',
  help: `Usage: crazy-digits retrain [options]

Retrains the current model on the stored corrections (together with digits it already knew, so
it does not forget them), checks the result, and saves it as a new model version only if it passes; a rejected
model is discarded and the current version stays. Prints whether it was accepted, the version
and the reason. Progress goes to stderr.

Ctrl-C stops retraining; nothing is saved and the exit code is 130.

Options:
      --json            print the outcome { accepted, version, reason, metrics } as JSON
${DATA_HELP}
${BACKEND_HELP}`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataOptions,
      ...backendOptions,
      ...jsonOptions,
    });
    rejectPositionals(positionals);
    const backend = parseBackend(values.backend);
    const data = await openDataDir(pathFrom(io, values.data), { create: true });
    const interrupt = interruptOnCtrlC(io.stderr, io.signal);
    let recognizer: Recognizer | undefined;
    try {
      recognizer = await createRecognizer({
        store: data.corrections,
        modelStore: data.models,
        retrain: 'manual',
        backend,
      });
      const progress = progressPrinter(io.stderr);
      let outcome: RetrainOutcome;
      try {
        outcome = await recognizer.retrain({ onProgress: progress.onProgress, signal: interrupt.signal });
      } finally {
        progress.end();
      }
      if (values.json) println(io.stdout, JSON.stringify(outcome));
      else {
        const metrics = formatMetrics(outcome.metrics);
        println(
          io.stdout,
          `${outcome.accepted ? 'accepted' : 'rejected'}: ${outcome.reason ?? ''}` +
            `\nversion: ${outcome.version}` +
            `${metrics.length > 0 ? `\nmetrics: ${metrics.join(', ')}` : ''}`,
        );
      }
      return EXIT.ok;
    } catch (error) {
      if (interrupt.signal.aborted && interrupt.signal.reason instanceof InterruptedError) {
        println(io.stderr, 'retraining interrupted; nothing was saved');
        return EXIT.interrupted;
      }
      throw error;
    } finally {
      interrupt.dispose();
      recognizer?.dispose();
      await data.close();
    }
  },
};
