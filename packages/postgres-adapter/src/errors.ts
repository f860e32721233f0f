import { CrazyDigitsError, isCrazyDigitsError } from '@crazy-digits/core';
import { StorageError } from '@crazy-digits/core/store-kit';

/**
 * The database could not be reached, or the connection was lost mid-operation. A write that
 * fails with it was not acknowledged: its transaction either committed whole or not at all, so
 * retrying an add may meet `DUPLICATE_CORRECTION` when the commit did land.
 */
export class DatabaseUnavailableError extends CrazyDigitsError<'DATABASE_UNAVAILABLE'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('DATABASE_UNAVAILABLE', message, options);
  }
}

/** Options a Postgres store cannot work with: no connection given, or a bad schema or store name. */
export class InvalidPostgresOptionsError extends CrazyDigitsError<'INVALID_POSTGRES_OPTIONS'> {
  constructor(message: string) {
    super('INVALID_POSTGRES_OPTIONS', message);
  }
}

/** Node socket errors and PostgreSQL SQLSTATE classes that mean "the connection is gone". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket that is not there
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

/** True when `error` says the connection to the database is gone or could not be made. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/** `error` itself when it is already one of ours; a lost connection typed; anything else a `StorageError`. */
export function asDatabaseError(what: string, error: unknown): Error {
  if (isCrazyDigitsError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isConnectionError(error)) return new DatabaseUnavailableError(`${what}: ${reason}`, { cause: error });
  return new StorageError(`${what}: ${reason}`, { cause: error });
}
