import { StorageError, StoreClosedError } from '@crazy-digits/core/store-kit';
import { type IDBPDatabase, type IDBPTransaction, wrap } from 'idb';
import { DatabaseBlockedError, isDomError, toStoreError } from './errors.js';

/** Options every IndexedDB store takes. */
export interface IndexedDBStoreOptions {
  /**
   * Name of the IndexedDB database. The corrections store and the model store may share one
   * database (they use different object stores) or use one each.
   */
  name: string;
  /**
   * The IndexedDB factory to use. Defaults to the global `indexedDB`; pass another for tests
   * (`new IDBFactory()` from fake-indexeddb) or to use a different realm's. The IndexedDB classes
   * (`IDBRequest`, `IDBKeyRange`…) must be globals, as they are in every browser and worker.
   */
  indexedDB?: IDBFactory;
  /**
   * What to do when IndexedDB is missing or refuses to open with a `SecurityError` or an
   * `InvalidStateError` (private browsing, sandboxed iframes, disabled storage): `'memory'` (the
   * default) returns core's in-memory store, whose `persistent` is `false`, so the app keeps
   * working and can tell its user that nothing will be kept; `'throw'` rejects with a
   * `StorageError` instead. Other failures always reject.
   */
  fallback?: 'memory' | 'throw';
  /** Called with the reason when the store falls back to memory, e.g. to log it or warn the user. */
  onFallback?: (reason: unknown) => void;
  /**
   * How long (ms) to wait when another tab keeps an older version of the database open and does
   * not let it be upgraded, before failing with `DatabaseBlockedError`. Default 10,000.
   */
  blockedTimeoutMs?: number;
}

/** The object stores of a crazy-digits database. */
export const CORRECTIONS = 'corrections';
export const MODEL_VERSIONS = 'model-versions';
export const MODEL_WEIGHTS = 'model-weights';
export const MODEL_STATE = 'model-state';
const ALL_STORES = [CORRECTIONS, MODEL_VERSIONS, MODEL_WEIGHTS, MODEL_STATE];

/**
 * The schema version this code writes. Each step of `upgrade` only adds stores and indexes, so a
 * later version can open any earlier database, and this version can keep using a database a
 * later one upgraded (see `open` below).
 */
export const SCHEMA_VERSION = 1;

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    // Corrections keyed by an auto-incremented sequence number: insertion order, never reused
    // (not even after `clear`), and what `list` cursors point at.
    const corrections = db.createObjectStore(CORRECTIONS, { keyPath: 'sequence', autoIncrement: true });
    corrections.createIndex('id', 'id', { unique: true });
    // Within one user, in insertion order; corrections without a user are not in this index.
    corrections.createIndex('user', ['userId', 'sequence']);
    // Version records (small) apart from their weights (large), so listing never reads weights.
    const versions = db.createObjectStore(MODEL_VERSIONS, { keyPath: 'sequence', autoIncrement: true });
    versions.createIndex('version', 'info.version', { unique: true });
    db.createObjectStore(MODEL_WEIGHTS);
    db.createObjectStore(MODEL_STATE);
  }
}

type Database = IDBPDatabase<unknown>;
type Transaction<Mode extends IDBTransactionMode> = IDBPTransaction<unknown, string[], Mode>;

/**
 * One `indexedDB.open`. If another connection blocks the upgrade for `blockedTimeoutMs`, rejects
 * with `DatabaseBlockedError`; a connection that opens after that is closed at once.
 */
function openOnce(
  factory: IDBFactory,
  name: string,
  version: number | undefined,
  blockedTimeoutMs: number,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? factory.open(name) : factory.open(name, version);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onblocked = () => {
      timer ??= setTimeout(() => {
        gaveUp = true;
        reject(new DatabaseBlockedError(name, blockedTimeoutMs));
      }, blockedTimeoutMs);
    };
    request.onsuccess = () => {
      clearTimeout(timer);
      if (gaveUp) request.result.close();
      else resolve(request.result);
    };
    request.onerror = () => {
      clearTimeout(timer);
      reject(request.error);
    };
  });
}

/** A lazily (re)opened connection to one database, shared by every operation of a store. */
export interface Connection {
  /**
   * Runs `work` in one transaction over `stores` and resolves once that transaction has
   * committed (writes with `durability: 'strict'`). If `work` throws or the transaction aborts,
   * the whole transaction is rolled back and the error is thrown as a typed store error.
   */
  run<T, Mode extends IDBTransactionMode>(
    what: string,
    stores: string[],
    mode: Mode,
    work: (tx: Transaction<Mode>) => Promise<T>,
  ): Promise<T>;
  /** Throws `StoreClosedError` once `close` has been called. */
  assertOpen(): void;
  /** Waits for the operations already started, then closes. Safe to call twice. */
  close(): Promise<void>;
}

function abortQuietly(tx: Transaction<IDBTransactionMode>): void {
  try {
    tx.abort();
  } catch {
    // Already committed or aborted.
  }
}

/**
 * Opens `name` (creating or upgrading it) and keeps it usable for as long as the store lives:
 * when another tab asks to upgrade or delete the database (`versionchange`), this connection is
 * closed at once so that tab is never blocked, and the next operation reopens it; the same
 * happens when the browser closes the connection abnormally (storage cleared, disk error).
 * Transactions already running when it closes still commit, so no acknowledged write is lost.
 */
async function openConnection(
  factory: IDBFactory,
  name: string,
  blockedTimeoutMs: number,
): Promise<Connection> {
  let current: Promise<Database> | undefined;
  let opened: Database | undefined;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  const forget = (db: Database) => {
    if (opened !== db) return;
    opened = undefined;
    current = undefined;
  };

  async function open(): Promise<Database> {
    let raw: IDBDatabase;
    try {
      raw = await openOnce(factory, name, SCHEMA_VERSION, blockedTimeoutMs);
    } catch (error) {
      if (!isDomError(error, 'VersionError')) throw error;
      // A newer release of the app upgraded the database. Its upgrades only add, so ours are
      // still there: open it at its own version.
      raw = await openOnce(factory, name, undefined, blockedTimeoutMs);
    }
    // A database of this name that something else created is refused rather than half-used.
    const missing = ALL_STORES.filter((store) => !raw.objectStoreNames.contains(store));
    if (missing.length > 0) {
      raw.close();
      throw new StorageError(
        `IndexedDB database "${name}" (version ${raw.version}) is not a crazy-digits database: it lacks ${missing.join(', ')}`,
      );
    }
    const db = wrap(raw);
    // Another tab wants to upgrade or delete the database: step aside, reopen on next use.
    raw.addEventListener('versionchange', () => {
      raw.close();
      forget(db);
    });
    // Closed by the browser (`terminated`): reopen on next use.
    raw.addEventListener('close', () => forget(db));
    return db;
  }

  function database(): Promise<Database> {
    if (!current) {
      const opening = open().then((db) => {
        opened = db;
        return db;
      });
      current = opening;
      opening.catch(() => {
        if (current === opening) current = undefined;
      });
    }
    return current;
  }

  async function attempt<T, Mode extends IDBTransactionMode>(
    stores: string[],
    mode: Mode,
    work: (tx: Transaction<Mode>) => Promise<T>,
  ): Promise<T> {
    let tx: Transaction<Mode> | undefined;
    for (let tries = 0; !tx; tries++) {
      const db = await database();
      try {
        tx = db.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : {});
      } catch (error) {
        // Closed between opening and this transaction (another tab's upgrade): reopen once.
        if (tries > 0 || !isDomError(error, 'InvalidStateError')) throw error;
        forget(db);
      }
    }
    const done = tx.done;
    done.catch(() => {});
    try {
      const result = await work(tx);
      await done;
      return result;
    } catch (error) {
      abortQuietly(tx);
      // A request failing because its transaction aborted reports `AbortError`; the reason (a
      // full quota, say) is the transaction's own error.
      if (isDomError(error, 'AbortError'))
        throw await done.then(
          () => error,
          (reason: unknown) => reason,
        );
      throw error;
    }
  }

  const connection: Connection = {
    run(what, stores, mode, work) {
      if (closed) return Promise.reject(new StoreClosedError());
      const running = attempt(stores, mode, work).catch((error: unknown) => {
        throw toStoreError(`could not ${what}`, error);
      });
      const tracked = running.catch(() => {});
      inFlight.add(tracked);
      void tracked.then(() => inFlight.delete(tracked));
      return running;
    },
    assertOpen() {
      if (closed) throw new StoreClosedError();
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(inFlight);
      const db = await current?.catch(() => undefined);
      db?.close();
      current = undefined;
      opened = undefined;
    },
  };
  await database();
  return connection;
}

/** The global `indexedDB`, or `undefined` where there is none or touching it is forbidden. */
function globalFactory(): IDBFactory | undefined {
  try {
    return 'indexedDB' in globalThis ? globalThis.indexedDB : undefined;
  } catch {
    // Sandboxed iframes and some privacy modes throw a SecurityError on access.
    return undefined;
  }
}

/** Errors that mean "IndexedDB cannot be used here" rather than "something went wrong". */
const isUnavailable = (error: unknown) =>
  isDomError(error, 'SecurityError') || isDomError(error, 'InvalidStateError');

/**
 * Opens the database for a store and builds the store on it, or, where IndexedDB cannot be used,
 * builds the in-memory store instead (or throws, with `fallback: 'throw'`).
 */
export async function openStore<Store>(
  options: IndexedDBStoreOptions,
  build: (connection: Connection) => Store,
  buildInMemory: () => Store,
): Promise<Store> {
  const factory = options.indexedDB ?? globalFactory();
  const what = `open IndexedDB database "${options.name}"`;
  let reason: unknown = new StorageError('IndexedDB is not available in this environment');
  if (factory) {
    try {
      return build(await openConnection(factory, options.name, options.blockedTimeoutMs ?? 10_000));
    } catch (error) {
      if (!isUnavailable(error)) throw toStoreError(`could not ${what}`, error);
      reason = error;
    }
  }
  if (options.fallback === 'throw') throw toStoreError(`could not ${what}`, reason);
  options.onFallback?.(reason);
  return buildInMemory();
}
