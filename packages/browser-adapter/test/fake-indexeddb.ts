import {
  IDBCursor,
  IDBCursorWithValue,
  IDBDatabase,
  IDBFactory,
  IDBIndex,
  IDBKeyRange,
  IDBObjectStore,
  IDBOpenDBRequest,
  IDBRequest,
  IDBTransaction,
  IDBVersionChangeEvent,
} from 'fake-indexeddb';

// The IndexedDB classes as globals, as in a browser (idb and the stores need them), but no
// global `indexedDB`: each test passes its own factory, so databases never leak between tests,
// and a store created without one sees an environment without IndexedDB.
Object.assign(globalThis, {
  IDBCursor,
  IDBCursorWithValue,
  IDBDatabase,
  IDBIndex,
  IDBKeyRange,
  IDBObjectStore,
  IDBOpenDBRequest,
  IDBRequest,
  IDBTransaction,
  IDBVersionChangeEvent,
});

/** A fresh, empty IndexedDB. */
export const freshIndexedDB = (): IDBFactory => new IDBFactory();
