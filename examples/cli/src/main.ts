/**
 * `crazy-digits`: the command line on `@crazy-digits/core` and `@crazy-digits/node-adapter`.
 * `main` runs one command line and resolves to its exit code; it never exits the process, so it
 * can run in-process (tests, other tools) as well as from bin/crazy-digits.mjs.
 */
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { correctCommand } from './commands/correct.js';
import { predictCommand } from './commands/predict.js';
import { readNumberCommand } from './commands/read-number.js';
import { retrainCommand } from './commands/retrain.js';
import { statsCommand } from './commands/stats.js';
import { trainCommand } from './commands/train.js';
import { exportCommand, importCommand } from './commands/transfer.js';
import { describeError, EXIT, exitCodeOf, UsageError } from './errors.js';
import { type CliIo, println } from './io.js';

export { EXIT } from './errors.js';
export type { CliIo, Output } from './io.js';

const COMMANDS: readonly Command[] = [
  predictCommand,
  readNumberCommand,
  correctCommand,
  statsCommand,
  exportCommand,
  importCommand,
  trainCommand,
  retrainCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.synopsis}`.length));
  const lines = COMMANDS.map((c) => `  ${`${c.name} ${c.synopsis}`.padEnd(width)}  ${c.summary}`);
  return `crazy-digits: recognise handwritten digits, and teach the recogniser with corrections.

Usage: crazy-digits <command> [options]

Commands:
${lines.join('\n')}

Every command takes -h, --help for its options, and -d, --data <dir> for the data directory
(default ./crazy-digits-data).

Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted with Ctrl-C.`;
}

function version(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const value =
    typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  return typeof value === 'string' ? value : 'unknown';
}

/** True when `args` ask for help (before any `--`, after which everything is an argument). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
});

/** Runs the command line `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const streams: CliIo = { ...defaultIo(), ...io };
  const [name, ...args] = argv;
  let command: Command | undefined;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? args[0] : undefined;
      const about = topic === undefined ? undefined : COMMANDS.find((c) => c.name === topic);
      if (topic !== undefined && !about) throw new UsageError(`unknown command '${topic}'`);
      println(name === undefined ? streams.stderr : streams.stdout, about ? about.help : overview());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      println(streams.stdout, version());
      return EXIT.ok;
    }
    if (name.startsWith('-')) throw new UsageError(`expected a command before '${name}'`);
    command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}'`);
    if (asksForHelp(args)) {
      println(streams.stdout, command.help);
      return EXIT.ok;
    }
    return await command.run(args, streams);
  } catch (error) {
    println(streams.stderr, `crazy-digits: ${describeError(error)}`);
    if (error instanceof UsageError) {
      println(streams.stderr, `Run 'crazy-digits ${command ? `${command.name} ` : ''}--help' for usage.`);
    }
    return exitCodeOf(error);
  }
}
