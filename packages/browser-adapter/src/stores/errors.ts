import { CrazyDigitsError, isCrazyDigitsError } from '@crazy-digits/core';
import { StorageError } from '@crazy-digits/core/store-kit';

/**
 * The browser refused the write because the origin's storage quota is used up. The transaction
 * was rolled back: nothing of the write was stored. Free space (older corrections, other site
 * data) or ask for more with `navigator.storage.persist()`, then retry.
 */
export class StorageQuotaExceededError extends CrazyDigitsError<'STORAGE_QUOTA_EXCEEDED'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORAGE_QUOTA_EXCEEDED', message, options);
  }
}

/**
 * The database could not be opened because another tab keeps an older version of it open and
 * does not close it. Close the other tabs of this app (or reload them) and retry.
 */
export class DatabaseBlockedError extends CrazyDigitsError<'DATABASE_BLOCKED'> {
  constructor(name: string, waitedMs: number) {
    super(
      'DATABASE_BLOCKED',
      `IndexedDB database "${name}" is held open by another tab at an older version (waited ${waitedMs} ms)`,
    );
  }
}

/** True when `error` is a `DOMException` (or a look-alike from another realm) named `name`. */
export const isDomError = (error: unknown, name: string): boolean =>
  typeof error === 'object' && error !== null && 'name' in error && error.name === name;

/**
 * `error` itself when it is already one of ours (invalid, duplicate, closed…), a
 * `StorageQuotaExceededError` for a full quota, else a `StorageError`, with the original as `cause`.
 */
export function toStoreError(what: string, error: unknown): Error {
  if (isCrazyDigitsError(error)) return error;
  const reason = error instanceof Error ? error.message || error.name : String(error);
  if (isDomError(error, 'QuotaExceededError'))
    return new StorageQuotaExceededError(`${what}: the storage quota is exceeded`, { cause: error });
  return new StorageError(`${what}: ${reason}`, { cause: error });
}
