import { CrazyDigitsError, isCrazyDigitsError } from '@crazy-digits/core';
import { StorageError } from '@crazy-digits/core/store-kit';

/** `error` itself when it is already one of ours (invalid, duplicate, closed…), else a `StorageError`. */
export function asStoreError(what: string, error: unknown): Error {
  if (isCrazyDigitsError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError(`${what}: ${reason}`, { cause: error });
}

/** Bytes a store found damaged (a checksum that does not match), and what it did with them. */
export interface StoreDamage {
  /** The damaged file. */
  file: string;
  /** Where the damaged bytes start in it. */
  offset: number;
  /** How many bytes are damaged (for a model version: the whole file). */
  bytes: number;
  /** Where a copy of the damaged bytes (or the damaged model version) was put, if anywhere. */
  setAsideTo?: string;
}

/**
 * A record or model version failed its checksum when it was read. Opening the store again sets
 * the damage aside (see the package README), so the rest of the store stays readable.
 */
export class StoreDamagedError extends CrazyDigitsError<'STORE_DAMAGED'> {
  /** The damaged file. */
  readonly file: string;
  /** Where the damaged bytes start in it. */
  readonly offset: number;

  constructor(file: string, offset: number, options: { cause?: unknown } = {}) {
    super('STORE_DAMAGED', `${file} is damaged at byte ${offset}`, options);
    this.file = file;
    this.offset = offset;
  }
}
