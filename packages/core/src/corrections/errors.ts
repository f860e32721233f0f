import { errorWithCode, errorWithMessage } from '../errors/crazy-digits-error.js';
import { CrazyDigitsError } from '../errors/index.js';

/** A correction that cannot be stored: bad label, bad image, bad metadata. Nothing was written. */
export class InvalidCorrectionError extends errorWithCode('INVALID_CORRECTION') {}

/** A correction with this id is already in the store. */
export class DuplicateCorrectionError extends CrazyDigitsError<'DUPLICATE_CORRECTION'> {
  constructor(id: string) {
    super('DUPLICATE_CORRECTION', `a correction with id "${id}" is already stored`);
  }
}

/** The store was used after `close()`. */
export class StoreClosedError extends errorWithMessage('STORE_CLOSED', 'the store has been closed') {}

/** An import stream is not a crazy-digits corrections export, or is damaged. */
export class InvalidExportError extends errorWithCode('INVALID_EXPORT') {}

/** A store could not read or write its storage (disk, IndexedDB, quota…). */
export class StorageError extends errorWithCode('STORAGE_FAILED') {}
