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
