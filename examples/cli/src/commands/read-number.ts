import { isCrazyDigitsError, type ReadNumberOptions } from '@crazy-digits/core';
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

/** The most digits a number may have (core's `readNumber` reads at most 32). */
const MAX_DIGITS = 32;

/** `--digits N` or `--digits MIN-MAX`, checked: a usage error for anything else. */
export function parseDigits(value: string): NonNullable<ReadNumberOptions['digits']> {
  const match = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(value);
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!match || min < 1 || max > MAX_DIGITS || min > max) {
    throw new UsageError(
      `--digits must be a count 1-${MAX_DIGITS} or a range MIN-MAX within it, got '${value}'`,
    );
  }
  return min === max ? min : { min, max };
}

const box = ({ x, y, width, height }: { x: number; y: number; width: number; height: number }) =>
  `${x},${y} ${width}x${height}`;

export const readNumberCommand: Command = {
  name: 'read-number',
  synopsis: '<image>',
  summary: 'read a handwritten number (several digits) in a PNG or JPEG file',
  help: `Usage: crazy-digits read-number <image> [options]

Reads the handwritten number in a PNG or JPEG file: several digits side by side on one canvas
(e.g. 840x280, dark ink on a light background or ink on a transparent one), with the data
directory's current model version and its corrections in effect. Prints the number and the
probability that the whole reading is right, then one line per digit, left to right: the
digit, its confidence, "uncertain" when it is probably not a clear digit, and its ink box in
image pixels (x,y widthxheight).

Options:
      --digits <n>      the number has n digits (1-${MAX_DIGITS}), or MIN-MAX digits (e.g. 4-6); when
                        the drawing cannot be split so, the best reading is printed with
                        confidence 0
      --json            one JSON object: { model, file, text, confidence, digits: [{ digit,
                        confidence, uncertain, probabilities, box: { x, y, width, height } }] }
${DATA_HELP}
${BACKEND_HELP}

An image that cannot be read or decoded, or a blank one, is reported and the exit code is 1.`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...dataOptions,
      ...backendOptions,
      ...jsonOptions,
      digits: { type: 'string' },
    });
    const [file] = positionals;
    if (file === undefined) throw new UsageError('read-number needs <image>');
    rejectPositionals(positionals, 1);
    const options: ReadNumberOptions =
      values.digits === undefined ? {} : { digits: parseDigits(values.digits) };
    const backend = parseBackend(values.backend);

    /** A library error about the image, named with its file. */
    const aboutFile = (error: unknown) =>
      isCrazyDigitsError(error) ? new CliError(`${file}: ${describeError(error)}`, { cause: error }) : error;
    let image: Awaited<ReturnType<typeof decodeImage>>;
    try {
      image = await decodeImage(pathFrom(io, file));
    } catch (error) {
      throw aboutFile(error);
    }
    const data = await openDataDir(pathFrom(io, values.data), { create: false });
    try {
      const { recognizer, model } = await loadRecognizer(data, backend);
      try {
        const reading = await recognizer.readNumber(image, options).catch((error: unknown) => {
          throw aboutFile(error);
        });
        const digits = reading.digits.map(({ digit, confidence, uncertain, probabilities, box }) => ({
          digit,
          confidence,
          uncertain,
          probabilities,
          box,
        }));
        if (values.json) {
          println(
            io.stdout,
            JSON.stringify({ model, file, text: reading.text, confidence: reading.confidence, digits }),
          );
        } else {
          println(io.stdout, `${file}: ${reading.text} (confidence ${reading.confidence.toFixed(3)})`);
          digits.forEach((digit, i) => {
            const flag = digit.uncertain ? ', uncertain' : '';
            println(
              io.stdout,
              `  ${i + 1}: ${digit.digit} (confidence ${digit.confidence.toFixed(3)}${flag}) box ${box(digit.box)}`,
            );
          });
        }
      } finally {
        recognizer.dispose();
      }
    } finally {
      await data.close();
    }
    return 0;
  },
};
