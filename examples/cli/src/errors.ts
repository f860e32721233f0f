import { isCrazyDigitsError } from '@crazy-digits/core';

/** Exit codes: what a script calling the CLI can branch on. */
export const EXIT = {
  ok: 0,
  /** Something failed at run time: a file that cannot be read, an invalid image, a storage error. */
  failure: 1,
  /** The command line itself is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** Stopped with Ctrl-C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** The command line is wrong; the message says how, and the command's `--help` says what is right. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure with a message written for the person at the terminal. */
export class CliError extends Error {
  override name = 'CliError';
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
};

/** The `code` of a Node.js system error (`'ENOENT'`…), if `error` is one. */
function systemErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error)) return undefined;
  return typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code) ? error.code : undefined;
}

/** "no such file (ENOENT)" for a system error, its message otherwise. */
export function describeFileError(error: unknown): string {
  const code = systemErrorCode(error);
  if (code) return `${FILE_ERRORS[code] ?? 'cannot be read'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A one-line message for any error: the library's typed errors lose their `[crazy-digits]`
 * prefix (every line the CLI prints is its own) and gain their code, which is what to search for.
 */
export function describeError(error: unknown): string {
  if (isCrazyDigitsError(error)) {
    const message = error.message.replace(/^\[crazy-digits\] /, '');
    switch (error.code) {
      case 'IMAGE_FILE_UNREADABLE':
        // The library's message explains how strings are told apart; here every argument is a path.
        return error.cause === undefined
          ? 'not a regular file (IMAGE_FILE_UNREADABLE)'
          : `cannot read the file: ${describeFileError(error.cause)}`;
      case 'BACKEND_UNAVAILABLE':
        return `${message} (BACKEND_UNAVAILABLE); --backend wasm works everywhere`;
      default:
        return `${message} (${error.code})`;
    }
  }
  if (systemErrorCode(error)) return describeFileError(error);
  return error instanceof Error ? error.message : String(error);
}

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT.usage : EXIT.failure;
}
