import type { CorrectionStore, ModelStore } from '@crazy-digits/core';
import {
  type ChangeBatch,
  createPostgresChangeFeed,
  createPostgresCorrectionStore,
  createPostgresModelStore,
  createPostgresRetrainLock,
  type PostgresChangeFeed,
  type PostgresRetrainLock,
} from '@crazy-digits/postgres-adapter';
import pg from 'pg';
import type { ApiKeyRecord, KeyStorage } from './auth/api-keys.js';

/**
 * What instances sharing one PostgreSQL database share: one pool for the corrections, model
 * versions and API keys, the cluster's retrain lock, and the change feed that tells this
 * instance what the others wrote.
 */
export interface Cluster {
  correctionStore(name: string): Promise<CorrectionStore>;
  modelStore(name: string, keep: number): Promise<ModelStore>;
  lock: PostgresRetrainLock;
  keys: KeyStorage;
  /** Follows the change log from now on; `onChange` gets each batch in order. */
  follow(
    onChange: (batch: ChangeBatch) => Promise<void>,
    onError: (error: unknown) => void,
  ): Promise<PostgresChangeFeed>;
  /** Ends the pool; close the stores and the feed first. */
  close(): Promise<void>;
}

interface KeyRow {
  id: string;
  user_name: string;
  role: 'user' | 'admin';
  sha256: string;
  created_at: string;
}

/** API keys in `crazy_digits.api_keys`, so every instance knows every key. */
async function databaseKeyStorage(pool: pg.Pool, schema: string): Promise<KeyStorage> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Instances starting together: one creates the table, the others wait and find it.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.api_keys`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.api_keys (
        id text PRIMARY KEY, user_name text NOT NULL, role text NOT NULL,
        sha256 text NOT NULL, created_at text NOT NULL)`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return {
    async load(): Promise<ApiKeyRecord[]> {
      const { rows } = await pool.query<KeyRow>(`SELECT * FROM ${schema}.api_keys ORDER BY created_at, id`);
      return rows.map((row) => ({
        id: row.id,
        user: row.user_name,
        role: row.role,
        sha256: row.sha256,
        createdAt: row.created_at,
      }));
    },
    async add(record) {
      await pool.query(
        `INSERT INTO ${schema}.api_keys (id, user_name, role, sha256, created_at) VALUES ($1, $2, $3, $4, $5)`,
        [record.id, record.user, record.role, record.sha256, record.createdAt],
      );
    },
    async revoke(user) {
      const { rowCount } = await pool.query(`DELETE FROM ${schema}.api_keys WHERE user_name = $1`, [user]);
      return rowCount ?? 0;
    },
  };
}

/**
 * Connects to `databaseUrl` (the `DATABASE_URL` variable) and uses `schema` (`DATABASE_SCHEMA`,
 * default the adapter's `crazy_digits`), creating it on first use.
 */
export async function openCluster(databaseUrl: string, schema = 'crazy_digits'): Promise<Cluster> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  // A connection that dies while idle is replaced on next use; without a listener it would end the process.
  pool.on('error', () => {});
  try {
    const shared = { pool, schema };
    // The lock checks the schema's name before it is used in the key table's SQL.
    const lock = await createPostgresRetrainLock(shared);
    const keys = await databaseKeyStorage(pool, schema);
    return {
      correctionStore: (name) => createPostgresCorrectionStore({ ...shared, name }),
      modelStore: (name, keep) => createPostgresModelStore({ ...shared, name, keep }),
      lock,
      keys,
      follow: (onChange, onError) => createPostgresChangeFeed({ ...shared, onChange, onError }),
      async close() {
        await lock.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}
