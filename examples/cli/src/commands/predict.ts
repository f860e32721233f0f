import { isCrazyDigitsError } from '@crazy-digits/core';
import { decodeImage } from '@crazy-digits/node-adapter';
import { BACKEND_HELP, type Command, DATA_HELP } from '../command.js';
import { loadRecognizer, openDataDir, parseBackend } from '../data.js';
import { describeError, EXIT, UsageError } from '../errors.js';
import { backendOptions, dataOptions, jsonOptions, parseCommandArgs, pathFrom, println } from '../io.js';

type Result =
  | { file: string; digit: number; confidence: number; uncertain: boolean; probabilities: number[] }
  | { file: string; error: { code: string; message: string } };

export const predictCommand: Command = {
  name: 'predict',
  synopsis: '<image...>',
  summary: 'recognise the digit in PNG or JPEG files',
  help: `Usage: crazy-digits predict <image...> [options]

Recognises the digit drawn in each PNG or JPEG file (dark ink on a light background, or ink on
a transparent one, any size up to 4096x4096), with the data directory's current model version
(the bundled pretrained model until \`train\` or \`retrain\` saves one) and its corrections in
effect. Prints one line per file: the digit, its confidence, and "uncertain" when the drawing is
probably not a clear digit.

Options:
      --json            one JSON object: { model, results: [{ file, digit, confidence, uncertain,
                        probabilities } or { file, error: { code, message } }] }
${DATA_HELP}
${BACKEND_HELP}

A file that cannot be read or decoded is reported and the others are still recognised; the exit
code is then 1.`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataOptions,
      ...backendOptions,
      ...jsonOptions,
    });
    if (positionals.length === 0) throw new UsageError('predict needs at least one image file');
    const backend = parseBackend(values.backend);
    const data = await openDataDir(pathFrom(io, values.data), { create: false });
    try {
      const { recognizer, model } = await loadRecognizer(data, backend);
      const results: Result[] = [];
      try {
        for (const file of positionals) {
          try {
            const image = await decodeImage(pathFrom(io, file));
            const { digit, confidence, uncertain, probabilities } = await recognizer.predict(image);
            results.push({ file, digit, confidence, uncertain, probabilities });
          } catch (error) {
            if (!isCrazyDigitsError(error)) throw error;
            results.push({ file, error: { code: error.code, message: describeError(error) } });
          }
        }
      } finally {
        recognizer.dispose();
      }
      if (values.json) println(io.stdout, JSON.stringify({ model, results }));
      for (const result of results) {
        if ('error' in result) {
          println(io.stderr, `crazy-digits: ${result.file}: ${result.error.message}`);
        } else if (!values.json) {
          const flag = result.uncertain ? ', uncertain' : '';
          println(
            io.stdout,
            `${result.file}: ${result.digit} (confidence ${result.confidence.toFixed(3)}${flag})`,
          );
        }
      }
      return results.some((result) => 'error' in result) ? EXIT.failure : EXIT.ok;
    } finally {
      await data.close();
    }
  },
};
