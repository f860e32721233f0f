import { isCrazyDigitsError, StorageError } from '@crazy-digits/core';

/** `error` itself when it is already one of ours (invalid, duplicate, closed…), else a `StorageError`. */
export function asStoreError(what: string, error: unknown): Error {
  if (isCrazyDigitsError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError(`${what}: ${reason}`, { cause: error });
}
