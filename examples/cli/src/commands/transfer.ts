import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { type Command, DATA_HELP } from '../command.js';
import { openDataDir } from '../data.js';
import { CliError, describeFileError, UsageError } from '../errors.js';
import {
  dataOptions,
  jsonOptions,
  type Output,
  parseCommandArgs,
  pathFrom,
  println,
  rejectPositionals,
  writeAll,
} from '../io.js';

/** Every chunk of a web stream, in order. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Writes the export to `path` all or nothing: a temporary file, synced, renamed over. */
async function writeFileAtomically(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    for await (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}

async function writeToOutput(out: Output, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of chunks) await writeAll(out, chunk);
}

export const exportCommand: Command = {
  name: 'export',
  synopsis: '[file]',
  summary: 'write every correction as NDJSON (to stdout without a file)',
  help: `Usage: crazy-digits export [file] [options]

Writes every correction in the data directory in the portable export format: newline-delimited
JSON, a header line then one correction per line (id, label, timestamps, the 28x28 image as
base64 float32). Without [file], or with -, to stdout; a file is written completely or not at all.
\`crazy-digits import\` reads it back, into this data directory or another.

Options:
${DATA_HELP}`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...dataOptions });
    rejectPositionals(positionals, 1);
    const [file = '-'] = positionals;
    const data = await openDataDir(pathFrom(io, values.data), { create: false });
    try {
      const count = await data.corrections.count();
      const chunks = chunksOf(data.corrections.export());
      if (file === '-') {
        await writeToOutput(io.stdout, chunks);
        return 0;
      }
      try {
        await writeFileAtomically(pathFrom(io, file), chunks);
      } catch (error) {
        throw new CliError(`cannot write ${file}: ${describeFileError(error)}`, { cause: error });
      }
      println(io.stderr, `exported ${count} correction${count === 1 ? '' : 's'} to ${file}`);
      return 0;
    } finally {
      await data.close();
    }
  },
};

export const importCommand: Command = {
  name: 'import',
  synopsis: '<file|->',
  summary: 'add corrections from an export (- reads stdin)',
  help: `Usage: crazy-digits import <file|-> [options]

Adds the corrections of an export (from \`crazy-digits export\` or any store's export()) to the
data directory; - reads the export from stdin. Corrections whose id is already there are skipped,
so importing the same file twice adds nothing. Each correction is durable once added: if a line
is damaged, the ones before it stay imported and the error names the line.

Options:
      --json            print { imported, skipped } as JSON
${DATA_HELP}`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...dataOptions, ...jsonOptions });
    const [file] = positionals;
    if (file === undefined) throw new UsageError('import needs a file, or - for stdin');
    rejectPositionals(positionals, 1);
    let input: AsyncIterable<Uint8Array | string> = io.stdin;
    if (file !== '-') {
      const path = pathFrom(io, file);
      try {
        const stats = await stat(path);
        if (!stats.isFile()) throw new CliError(`${file}: not a regular file`);
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`${file}: ${describeFileError(error)}`, { cause: error });
      }
      input = createReadStream(path);
    }
    const data = await openDataDir(pathFrom(io, values.data), { create: true });
    try {
      const { imported, skipped } = await data.corrections.import(input);
      if (values.json) println(io.stdout, JSON.stringify({ imported, skipped }));
      else println(io.stdout, `imported ${imported}, skipped ${skipped} already present`);
      return 0;
    } finally {
      await data.close();
    }
  },
};
