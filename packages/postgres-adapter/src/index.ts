/**
 * PostgreSQL for `@crazy-digits/core`: corrections and versioned models in one database that
 * several server instances share (`createPostgresCorrectionStore`, `createPostgresModelStore`),
 * a change feed on `LISTEN/NOTIFY` so each instance learns of the others' writes
 * (`createPostgresChangeFeed`), and a cluster-wide retrain lock (`createPostgresRetrainLock`).
 *
 * @packageDocumentation
 */
export {
  type Change,
  type ChangeBatch,
  createPostgresChangeFeed,
  type PostgresChangeFeed,
  type PostgresChangeFeedOptions,
} from './change-feed.js';
export {
  correctionsStoreKey,
  createPostgresCorrectionStore,
  type PostgresCorrectionStoreOptions,
} from './correction-store.js';
export type { PostgresConnectionOptions } from './database.js';
export { DatabaseUnavailableError, InvalidPostgresOptionsError } from './errors.js';
export { createPostgresModelStore, modelsStoreKey, type PostgresModelStoreOptions } from './model-store.js';
export {
  createPostgresRetrainLock,
  type PostgresRetrainLock,
  type PostgresRetrainLockOptions,
  type RetrainTurn,
  type RetrainTurnResult,
} from './retrain-lock.js';
