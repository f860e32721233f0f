import { CrazyDigitsError } from '../errors/index.js';

/** A correction that cannot be stored: bad label, bad image, bad metadata. Nothing was written. */
export class InvalidCorrectionError extends CrazyDigitsError<'INVALID_CORRECTION'> {
  constructor(message: string) {
    super('INVALID_CORRECTION', message);
  }
}

/** A correction with this id is already in the store. */
export class DuplicateCorrectionError extends CrazyDigitsError<'DUPLICATE_CORRECTION'> {
  constructor(id: string) {
    super('DUPLICATE_CORRECTION', `a correction with id "${id}" is already stored`);
  }
}

/** The store was used after `close()`. */
export class StoreClosedError extends CrazyDigitsError<'STORE_CLOSED'> {
  constructor() {
    super('STORE_CLOSED', 'the store has been closed');
  }
}

/** An import stream is not a crazy-digits corrections export, or is damaged. */
export class InvalidExportError extends CrazyDigitsError<'INVALID_EXPORT'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INVALID_EXPORT', message, options);
  }
}

/** A store could not read or write its storage (disk, IndexedDB, quota…). */
export class StorageError extends CrazyDigitsError<'STORAGE_FAILED'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STORAGE_FAILED', message, options);
  }
}
