import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/** Somewhere text or bytes are written: `process.stdout`, a file stream, a test's collector. */
export interface Output {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  once(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
}

/** What a command reads from and writes to; `main` fills in the process's own by default. */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** Read by `import -`. */
  stdin: AsyncIterable<Uint8Array | string>;
  /** Relative paths (images, `--data`, export files) are resolved against this. */
  cwd: string;
  /** Aborts a running `train` or `retrain` like Ctrl-C does. */
  signal?: AbortSignal;
}

/** Writes `chunk`, waiting for the stream to drain when its buffer is full. */
export async function writeAll(out: Output, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', done));
}

/** `line` and a newline, on `out`. */
export const println = (out: Output, line = ''): void => {
  out.write(`${line}\n`);
};

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type ParsedCommandArgs<Options extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; allowPositionals: true; strict: true }>
>;

/**
 * Parses a command's arguments strictly: an unknown option, a missing option value or a value
 * given to a flag is a usage error. Positionals may come before, after or between options.
 */
export function parseCommandArgs<const Options extends OptionsConfig>(
  args: string[],
  options: Options,
): ParsedCommandArgs<Options> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--data` and the other options every command that touches the data directory takes. */
export const dataOptions = {
  data: { type: 'string', short: 'd', default: './crazy-digits-data' },
} as const;

/** `--backend` for the commands that run the model. */
export const backendOptions = {
  backend: { type: 'string', default: 'auto' },
} as const;

/** `--json` for machine-readable output. */
export const jsonOptions = {
  json: { type: 'boolean', default: false },
} as const;

/** `value` as an integer of at least `min`, or a usage error naming `option`. */
export function parseInteger(value: string, option: string, min: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min) {
    throw new UsageError(`${option} must be an integer of at least ${min}, got '${value}'`);
  }
  return parsed;
}

/** A path from the command line, relative to the CLI's working directory. */
export const pathFrom = (io: CliIo, path: string): string => resolve(io.cwd, path);

/** A usage error for arguments beyond the first `allowed`. */
export function rejectPositionals(positionals: readonly string[], allowed = 0): void {
  const extra = positionals[allowed];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
}
