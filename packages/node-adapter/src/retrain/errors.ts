import {
  CrazyDigitsError,
  isCrazyDigitsError,
  NoCorrectionsError,
  RetrainConfigError,
  RetrainerDisposedError,
} from '@crazy-digits/core';
import type { SerializedError } from './protocol.js';

/** The retrain worker thread crashed or exited during a run; the error or exit code is the `cause`. */
export class RetrainWorkerError extends CrazyDigitsError<'RETRAIN_WORKER_FAILED'> {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super('RETRAIN_WORKER_FAILED', `the retrain worker thread failed: ${reason}`, options);
  }
}

const PREFIX = '[crazy-digits] ';

/** What the worker sends for an error: its name, message, stack and, for crazy-digits errors, `code`. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return {
    name: error.name,
    message: error.message,
    ...(isCrazyDigitsError(error) ? { code: error.code } : {}),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}

/** Retrain errors the caller may test with `instanceof`: re-created as their own classes. */
const KNOWN: Record<string, (message: string) => Error> = {
  NO_CORRECTIONS: () => new NoCorrectionsError(),
  RETRAINER_DISPOSED: () => new RetrainerDisposedError(),
  RETRAIN_CONFIG: (message) => new RetrainConfigError(message),
};

/**
 * The worker's error on this thread: core's retrain errors as their classes, any other
 * crazy-digits error as a `CrazyDigitsError` with the same `code` and name (so
 * `isCrazyDigitsError(error, code)` holds), anything else as an `Error`. The stack is the worker's.
 */
export function deserializeError(serialized: SerializedError): Error {
  const message = serialized.message.startsWith(PREFIX)
    ? serialized.message.slice(PREFIX.length)
    : serialized.message;
  const code = serialized.code;
  const known = code === undefined ? undefined : KNOWN[code];
  let error: Error;
  if (known) error = known(message);
  else if (code !== undefined) {
    error = new CrazyDigitsError(code, message);
    error.name = serialized.name;
  } else {
    error = new Error(serialized.message);
    error.name = serialized.name;
  }
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}
