import { isCrazyDigitsError } from '@crazy-digits/core';
import { decodeImage } from '@crazy-digits/node-adapter';
import { BACKEND_HELP, type Command, DATA_HELP } from '../command.js';
import { loadRecognizer, openDataDir, parseBackend } from '../data.js';
import { CliError, describeError, UsageError } from '../errors.js';
import {
  backendOptions,
  dataOptions,
  jsonOptions,
  parseCommandArgs,
  pathFrom,
  println,
  rejectPositionals,
} from '../io.js';

export const correctCommand: Command = {
  name: 'correct',
  synopsis: '<image> <label>',
  summary: 'store that an image is the digit <label>',
  help: `Usage: crazy-digits correct <image> <label> [options]

Stores that the PNG or JPEG <image> is the digit <label> (0-9) in the data directory, durably
(on disk and synced before the command returns), together with what the current model
predicted. From then on \`predict\` gets this drawing, and close variants of it, right; \`retrain\`
consolidates the corrections into a new model version. Prints the correction's id.

Options:
      --json            print { id, file, label } as JSON
${DATA_HELP}
${BACKEND_HELP}`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataOptions,
      ...backendOptions,
      ...jsonOptions,
    });
    const [file, labelText] = positionals;
    if (file === undefined || labelText === undefined) throw new UsageError('correct needs <image> <label>');
    rejectPositionals(positionals, 2);
    if (!/^[0-9]$/.test(labelText)) throw new UsageError(`<label> must be a digit 0-9, got '${labelText}'`);
    const label = Number(labelText);
    const backend = parseBackend(values.backend);

    let image: Awaited<ReturnType<typeof decodeImage>>;
    try {
      image = await decodeImage(pathFrom(io, file));
    } catch (error) {
      if (isCrazyDigitsError(error)) throw new CliError(`${file}: ${describeError(error)}`, { cause: error });
      throw error;
    }
    const data = await openDataDir(pathFrom(io, values.data), { create: true });
    try {
      const { recognizer } = await loadRecognizer(data, backend);
      try {
        const { id } = await recognizer.correct(image, label);
        println(io.stdout, values.json ? JSON.stringify({ id, file, label }) : id);
      } finally {
        recognizer.dispose();
      }
    } finally {
      await data.close();
    }
    return 0;
  },
};
