import {
  createMemoryModelStore,
  type ModelStore,
  type ModelVersion,
  type StoredModel,
} from '@crazy-digits/core';
import {
  ModelVersionNotFoundError,
  newVersion,
  prepareArtifacts,
  StorageError,
} from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';
import type { IDBPTransaction } from 'idb';
import {
  type Connection,
  type IndexedDBStoreOptions,
  MODEL_STATE,
  MODEL_VERSIONS,
  MODEL_WEIGHTS,
  openStore,
} from './database.js';

/** Options for {@link createIndexedDBModelStore}. */
export interface IndexedDBModelStoreOptions extends IndexedDBStoreOptions {
  /** How many versions to keep, newest first; older ones are deleted by each save. Default 5. */
  keep?: number;
}

/** A version's record: everything but the weights, which live in their own store under its name. */
interface VersionRecord {
  /** Assigned by IndexedDB: the order versions were saved in. */
  sequence: number;
  info: ModelVersion;
  artifacts: Omit<tf.io.ModelArtifacts, 'weightData'>;
}

const STORES = [MODEL_VERSIONS, MODEL_WEIGHTS, MODEL_STATE];
/** The key, in `model-state`, of the current version's name. */
const CURRENT = 'current';

/** Any transaction over the model stores; writes need a {@link WriteTransaction}. */
type Transaction = IDBPTransaction<unknown, string[], IDBTransactionMode>;
type WriteTransaction = IDBPTransaction<unknown, string[], 'readwrite'>;

const isVersionRecord = (value: VersionRecord | undefined): value is VersionRecord =>
  typeof value === 'object' &&
  value !== null &&
  typeof value.sequence === 'number' &&
  typeof value.info?.version === 'string' &&
  typeof value.artifacts === 'object' &&
  value.artifacts !== null;

/**
 * The version's artifacts if its weights are there and match its specs (checked as a save checks
 * them), else `undefined`: such a version is skipped when finding the current one.
 */
function readable(record: VersionRecord, weights: unknown): StoredModel | undefined {
  if (!(weights instanceof ArrayBuffer)) return undefined;
  try {
    return {
      info: structuredClone(record.info),
      artifacts: prepareArtifacts({ ...record.artifacts, weightData: weights }),
    };
  } catch {
    return undefined;
  }
}

/** Every version whose record is intact, oldest first. */
async function versionsIn(tx: Transaction): Promise<VersionRecord[]> {
  const records: Array<VersionRecord | undefined> = await tx.objectStore(MODEL_VERSIONS).getAll();
  return records.filter(isVersionRecord);
}

async function load(tx: Transaction, record: VersionRecord): Promise<StoredModel | undefined> {
  return readable(record, await tx.objectStore(MODEL_WEIGHTS).get(record.info.version));
}

/** The current version and its weights, or else the newest readable version. */
async function resolveCurrent(
  tx: Transaction,
): Promise<{ record: VersionRecord; model: StoredModel } | undefined> {
  const name: unknown = await tx.objectStore(MODEL_STATE).get(CURRENT);
  const all = await versionsIn(tx);
  const named = all.find((record) => record.info.version === name);
  const candidates = [...(named ? [named] : []), ...all.filter((record) => record !== named).reverse()];
  for (const record of candidates) {
    const model = await load(tx, record);
    if (model) return { record, model };
  }
  return undefined;
}

async function findVersion(tx: Transaction, version: string): Promise<VersionRecord | undefined> {
  const record: VersionRecord | undefined = await tx
    .objectStore(MODEL_VERSIONS)
    .index('version')
    .get(version);
  return isVersionRecord(record) ? record : undefined;
}

const damaged = (version: string) =>
  new StorageError(`the weights of model version "${version}" are damaged`);

function build(connection: Connection, keep: number): ModelStore {
  const reading = <T>(what: string, work: (tx: Transaction) => Promise<T>) =>
    connection.run(what, STORES, 'readonly', work);
  const writing = <T>(what: string, work: (tx: WriteTransaction) => Promise<T>) =>
    connection.run(what, STORES, 'readwrite', work);

  return {
    persistent: true,
    async save(artifacts, meta) {
      connection.assertOpen();
      const { weightData, ...rest } = prepareArtifacts(artifacts);
      const info = newVersion(meta);
      // Record, weights, the current pointer and the pruning in ONE transaction: a version is
      // either entirely saved and current, or not there at all. (tfjs's own `indexeddb://`
      // handler writes the model info and the weights in two transactions.)
      return writing('save a model version', async (tx) => {
        await tx.objectStore(MODEL_VERSIONS).add({ info, artifacts: rest });
        await tx.objectStore(MODEL_WEIGHTS).put(weightData, info.version);
        await tx.objectStore(MODEL_STATE).put(info.version, CURRENT);
        const records: Array<VersionRecord | undefined> = await tx.objectStore(MODEL_VERSIONS).getAll();
        // The new version is current and newest, so the oldest `excess` never include it.
        for (const record of records.slice(0, Math.max(0, records.length - keep))) {
          if (record === undefined) continue;
          await tx.objectStore(MODEL_VERSIONS).delete(record.sequence);
          if (isVersionRecord(record)) await tx.objectStore(MODEL_WEIGHTS).delete(record.info.version);
        }
        return structuredClone(info);
      });
    },
    current: () =>
      reading('read the current model version', async (tx) => (await resolveCurrent(tx))?.model.info),
    load: (version) =>
      reading('load a model version', async (tx) => {
        if (version === undefined) return (await resolveCurrent(tx))?.model;
        const record = await findVersion(tx, version);
        if (!record) return undefined;
        const model = await load(tx, record);
        if (!model) throw damaged(version);
        return model;
      }),
    list: () =>
      reading('list model versions', async (tx) => (await versionsIn(tx)).map((record) => record.info)),
    setCurrent: (version) =>
      writing('change the current model version', async (tx) => {
        const record = await findVersion(tx, version);
        if (!record) throw new ModelVersionNotFoundError(version);
        if (!(await load(tx, record))) throw damaged(version);
        await tx.objectStore(MODEL_STATE).put(version, CURRENT);
        return record.info;
      }),
    rollback: () =>
      writing('roll back the model', async (tx) => {
        const current = await resolveCurrent(tx);
        if (!current) return undefined;
        const earlier = (await versionsIn(tx)).filter((record) => record.sequence < current.record.sequence);
        for (const record of earlier.reverse()) {
          if (!(await load(tx, record))) continue;
          await tx.objectStore(MODEL_STATE).put(record.info.version, CURRENT);
          return record.info;
        }
        return undefined;
      }),
    close: () => connection.close(),
  };
}

/**
 * Versioned model weights in IndexedDB. A save writes the topology, weight specs, weights, version
 * record and current-version pointer in one transaction and prunes versions beyond `keep` in the
 * same one; loading falls back to the newest readable version when the current one is missing or
 * damaged; `rollback` and `setCurrent` move the pointer.
 *
 * Falls back to core's in-memory model store like {@link createIndexedDBCorrectionStore}.
 *
 * @example
 * ```ts
 * const models = await createIndexedDBModelStore({ name: 'my-app', keep: 3 });
 * const saved = await models.save(await exportModel(model), { note: 'consolidated 50 corrections' });
 * ```
 */
export function createIndexedDBModelStore(options: IndexedDBModelStoreOptions): Promise<ModelStore> {
  const keep = Math.max(1, options.keep ?? 5);
  return openStore(
    options,
    (connection) => build(connection, keep),
    () => createMemoryModelStore({ keep }),
  );
}
