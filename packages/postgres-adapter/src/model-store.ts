import type { ModelStore, ModelVersion, StoredModel } from '@crazy-digits/core';
import { ModelVersionNotFoundError, prepareVersion, StoreClosedError } from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';
import type { PoolClient } from 'pg';
import { type Database, openDatabase, type PostgresConnectionOptions } from './database.js';
import { lockChanges, nextSequences, recordChanges } from './migrations.js';
import { checkStoreName } from './store-name.js';

/** Options for {@link createPostgresModelStore}. */
export interface PostgresModelStoreOptions extends PostgresConnectionOptions {
  /** Which store of the schema this is (e.g. `'global'`, `'users/ada'`). Default `'default'`. */
  name?: string;
  /** How many versions to keep, newest first; the current one is always kept. Default 5. */
  keep?: number;
}

/** The `store` column's value for a model store, and the change feed's `store` field. */
export const modelsStoreKey = (name: string) => `models:${name}`;

interface VersionRow {
  version: string;
  sequence: string;
  info: ModelVersion;
}

/**
 * Versioned model weights in PostgreSQL (`model_versions`, and `model_current` pointing at the
 * served one). A save writes the version, makes it current and drops versions past `keep` in one
 * transaction, so a crash leaves the old current version or the new one; every change of the
 * current version is announced on the schema's change feed, so other instances serve it too.
 */
export async function createPostgresModelStore(options: PostgresModelStoreOptions): Promise<ModelStore> {
  const key = modelsStoreKey(checkStoreName(options.name ?? 'default'));
  const keep = Math.max(1, options.keep ?? 5);
  const database: Database = await openDatabase(options);
  const versions = database.table('model_versions');
  const current = database.table('model_current');
  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };

  /** Makes `version` current and announces it (inside a transaction holding the change lock). */
  async function makeCurrent(client: PoolClient, version: string) {
    await client.query(
      `INSERT INTO ${current} (store, version) VALUES ($1, $2)
       ON CONFLICT (store) DO UPDATE SET version = EXCLUDED.version`,
      [key, version],
    );
    const [sequence = 0] = await nextSequences(client, database, 1);
    await recordChanges(client, database, [{ sequence, store: key, kind: 'current', subject: version }]);
  }

  async function currentRow(client?: PoolClient): Promise<VersionRow | undefined> {
    const text = `SELECT v.version, v.sequence, v.info FROM ${current} c
       JOIN ${versions} v ON v.store = c.store AND v.version = c.version WHERE c.store = $1`;
    const { rows } = client
      ? await client.query<VersionRow>(text, [key])
      : await database.query<VersionRow>('read the current model version', text, [key]);
    return rows[0];
  }

  return {
    persistent: true,
    async save(artifacts, meta) {
      open();
      const { info, artifacts: prepared } = prepareVersion(artifacts, meta);
      await database.transaction('save a model version', async (client) => {
        await lockChanges(client, database);
        const [sequence = 0] = await nextSequences(client, database, 1);
        await client.query(
          `INSERT INTO ${versions} (store, version, sequence, info, topology, weight_specs, weight_data, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            key,
            info.version,
            sequence,
            JSON.stringify(info),
            JSON.stringify(prepared.modelTopology),
            JSON.stringify(prepared.weightSpecs),
            Buffer.from(prepared.weightData),
            JSON.stringify({
              format: prepared.format,
              ...(prepared.generatedBy ? { generatedBy: prepared.generatedBy } : {}),
              ...(prepared.convertedBy ? { convertedBy: prepared.convertedBy } : {}),
            }),
          ],
        );
        await makeCurrent(client, info.version);
        // The new version is current and the newest, so it is never among those dropped.
        await client.query(
          `DELETE FROM ${versions} WHERE store = $1 AND sequence <= (
             SELECT sequence FROM ${versions} WHERE store = $1 ORDER BY sequence DESC OFFSET $2 LIMIT 1)`,
          [key, keep],
        );
      });
      return structuredClone(info);
    },
    async current() {
      open();
      return (await currentRow())?.info;
    },
    async load(version): Promise<StoredModel | undefined> {
      open();
      const { rows } = await database.query<{
        info: ModelVersion;
        topology: tf.io.ModelArtifacts['modelTopology'];
        weight_specs: tf.io.WeightsManifestEntry[];
        weight_data: Buffer;
        details: { format?: string; generatedBy?: string; convertedBy?: string };
      }>(
        'load a model version',
        version === undefined
          ? `SELECT v.info, v.topology, v.weight_specs, v.weight_data, v.details FROM ${current} c
             JOIN ${versions} v ON v.store = c.store AND v.version = c.version WHERE c.store = $1`
          : `SELECT info, topology, weight_specs, weight_data, details FROM ${versions}
             WHERE store = $1 AND version = $2`,
        version === undefined ? [key] : [key, version],
      );
      const row = rows[0];
      if (!row) return undefined;
      const weightData = new ArrayBuffer(row.weight_data.byteLength);
      new Uint8Array(weightData).set(row.weight_data);
      return {
        info: row.info,
        artifacts: {
          ...row.details,
          modelTopology: row.topology,
          weightSpecs: row.weight_specs,
          weightData,
        },
      };
    },
    async list() {
      open();
      const { rows } = await database.query<{ info: ModelVersion }>(
        'list model versions',
        `SELECT info FROM ${versions} WHERE store = $1 ORDER BY sequence`,
        [key],
      );
      return rows.map((row) => row.info);
    },
    async setCurrent(version) {
      open();
      return database.transaction('set the current model version', async (client) => {
        await lockChanges(client, database);
        const { rows } = await client.query<{ info: ModelVersion }>(
          `SELECT info FROM ${versions} WHERE store = $1 AND version = $2`,
          [key, version],
        );
        const row = rows[0];
        if (!row) throw new ModelVersionNotFoundError(version);
        await makeCurrent(client, version);
        return row.info;
      });
    },
    async rollback() {
      open();
      return database.transaction('roll the model back', async (client) => {
        await lockChanges(client, database);
        const now = await currentRow(client);
        if (!now) return undefined;
        const { rows } = await client.query<{ info: ModelVersion; version: string }>(
          `SELECT info, version FROM ${versions} WHERE store = $1 AND sequence < $2
           ORDER BY sequence DESC LIMIT 1`,
          [key, now.sequence],
        );
        const previous = rows[0];
        if (!previous) return undefined;
        await makeCurrent(client, previous.version);
        return previous.info;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await database.end();
    },
  };
}
