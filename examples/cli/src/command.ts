import type { CliIo } from './io.js';

/** One subcommand of the CLI. */
export interface Command {
  name: string;
  /** Its arguments, for the overview: `'<image> <label>'`. */
  synopsis: string;
  /** One line for the overview. */
  summary: string;
  /** The full text of `crazy-digits <name> --help`. */
  help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Help lines shared by the commands that use the data directory. */
export const DATA_HELP = `  -d, --data <dir>      data directory: corrections in <dir>/corrections, model versions in
                        <dir>/models (default ./crazy-digits-data)`;

/** Help line for `--backend`. */
export const BACKEND_HELP = `      --backend <name>  auto (default: tfjs-node when installed, else wasm), tensorflow, wasm, cpu`;
