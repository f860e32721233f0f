import { unprefixed } from '../errors/crazy-digits-error.js';
import { CrazyDigitsError, isCrazyDigitsError } from '../errors/index.js';
import { NoCorrectionsError, RetrainConfigError, RetrainerDisposedError } from './errors.js';

/**
 * An error as plain data, to cross a thread boundary (a `Worker`, `worker_threads`): what a
 * retrainer running elsewhere sends back when a run fails.
 */
export interface WireError {
  name: string;
  message: string;
  /** Set for crazy-digits errors only. */
  code?: string;
  stack?: string;
  cause?: WireError;
}

/** Causes are kept this deep; deeper chains are cut (they only feed logs). */
const MAX_CAUSE_DEPTH = 4;

/** `error` as plain data, with its chain of causes. */
export function toWireError(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) {
    // DOMException is an Error in browsers and Node; anything else thrown is described.
    return { name: 'Error', message: String(error) };
  }
  const wire: WireError = { name: error.name, message: error.message };
  if (isCrazyDigitsError(error)) wire.code = error.code;
  if (error.stack !== undefined) wire.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) wire.cause = toWireError(error.cause, depth + 1);
  return wire;
}

/** Core's retrain errors, re-created as their own classes so `instanceof` holds too. */
const KNOWN: Record<string, (message: string) => Error> = {
  NO_CORRECTIONS: () => new NoCorrectionsError(),
  RETRAINER_DISPOSED: () => new RetrainerDisposedError(),
  RETRAIN_CONFIG: (message) => new RetrainConfigError(message),
};

/**
 * An error of the other thread, rebuilt: core's retrain errors as their classes, any other
 * crazy-digits error as a `CrazyDigitsError` with the same `code`, `name` and message (so
 * `isCrazyDigitsError(error, code)` branches as it would have there), anything else as an
 * `Error` with the same name and message; causes likewise. Stacks are the other thread's.
 */
export function fromWireError(wire: WireError): Error {
  const options = wire.cause ? { cause: fromWireError(wire.cause) } : {};
  // The constructor adds the prefix again.
  const message = unprefixed(wire.message);
  const known = wire.code === undefined ? undefined : KNOWN[wire.code];
  let error: Error;
  if (known) error = known(message);
  else if (wire.code !== undefined) error = new CrazyDigitsError(wire.code, message, options);
  else error = new Error(wire.message, options);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
