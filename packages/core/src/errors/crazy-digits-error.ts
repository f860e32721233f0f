import type { CrazyDigitsErrorCode } from './codes.js';

const ERROR_BRAND = Symbol.for('@crazy-digits/error');

/** What every crazy-digits error message starts with. */
const PREFIX = '[crazy-digits] ';

/** `message` without the prefix a crazy-digits error adds, e.g. to rebuild one elsewhere. */
export const unprefixed = (message: string): string =>
  message.startsWith(PREFIX) ? message.slice(PREFIX.length) : message;

/** Options accepted by every crazy-digits error. */
export interface CrazyDigitsErrorOptions {
  /** The underlying error, kept so callers and logs can see the root cause. */
  cause?: unknown;
}

/**
 * Base class of every error the library throws on purpose.
 *
 * Branch on `code` (stable, part of the public API) rather than on `message` (for humans).
 * Messages are prefixed with `[crazy-digits]` so they are easy to spot in mixed logs.
 */
export class CrazyDigitsError<Code extends string = string> extends Error {
  /** A stable, machine-readable identifier of what went wrong, e.g. `'BACKEND_UNAVAILABLE'`. */
  readonly code: Code;

  constructor(code: Code, message: string, options: CrazyDigitsErrorOptions = {}) {
    super(`${PREFIX}${message}`, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.name = new.target.name;
    // A brand survives duplicated installs and realms, where `instanceof` does not.
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/**
 * The base of an error class that always has `code` and whose thrower gives the message and,
 * optionally, the cause: `class StorageError extends errorWithCode('STORAGE_FAILED') {}`. The
 * code is written once, and the class keeps its own name.
 */
export function errorWithCode<Code extends string>(
  code: Code,
): new (
  message: string,
  options?: CrazyDigitsErrorOptions,
) => CrazyDigitsError<Code> {
  return class extends CrazyDigitsError<Code> {
    constructor(message: string, options: CrazyDigitsErrorOptions = {}) {
      super(code, message, options);
    }
  };
}

/** Likewise for an error whose message is fixed too, thrown as `new StoreClosedError()`. */
export function errorWithMessage<Code extends string>(
  code: Code,
  message: string,
): new () => CrazyDigitsError<Code> {
  return class extends CrazyDigitsError<Code> {
    constructor() {
      super(code, message);
    }
  };
}

/**
 * True when `value` is an error thrown by crazy-digits, optionally with the given `code`.
 *
 * Prefer this over `instanceof` when two copies of the package may be loaded (for example an
 * adapter bundled with its own copy of core): the check relies on a global symbol brand.
 */
export function isCrazyDigitsError<Code extends CrazyDigitsErrorCode = CrazyDigitsErrorCode>(
  value: unknown,
  code?: Code,
): value is CrazyDigitsError<Code> {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] !== true) return false;
  return code === undefined || (value as { code?: unknown }).code === code;
}
