import type { Database } from './database.js';
import { LOCKS } from './database.js';

/** One step of the schema's history. Never edit a released one: add the next. */
interface Migration {
  version: number;
  description: string;
  /** SQL with `{s}` standing for the schema name. */
  sql: string;
}

/**
 * The schema, version by version. `changes` is the one history every instance follows: each
 * write appends to it in the transaction that makes the write, under a transaction-scoped
 * advisory lock so sequence numbers commit in order, and `NOTIFY`s its sequence number.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'corrections, model versions and the change log',
    sql: `
      CREATE SEQUENCE {s}.change_sequence;
      CREATE TABLE {s}.changes (
        sequence bigint PRIMARY KEY,
        store text NOT NULL,
        kind text NOT NULL,
        subject text
      );
      CREATE TABLE {s}.change_horizon (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        pruned_through bigint NOT NULL
      );
      INSERT INTO {s}.change_horizon (pruned_through) VALUES (0);
      CREATE TABLE {s}.corrections (
        store text NOT NULL,
        id text NOT NULL,
        sequence bigint NOT NULL,
        user_id text,
        label smallint NOT NULL,
        image bytea NOT NULL,
        created_at double precision NOT NULL,
        session_id text,
        predicted_digit smallint,
        predicted_confidence double precision,
        model_version text,
        PRIMARY KEY (store, id)
      );
      CREATE UNIQUE INDEX corrections_in_order ON {s}.corrections (store, sequence);
      CREATE INDEX corrections_of_user ON {s}.corrections (store, user_id, sequence);
      CREATE TABLE {s}.model_versions (
        store text NOT NULL,
        version text NOT NULL,
        sequence bigint NOT NULL,
        info jsonb NOT NULL,
        topology jsonb NOT NULL,
        weight_specs jsonb NOT NULL,
        weight_data bytea NOT NULL,
        details jsonb NOT NULL,
        PRIMARY KEY (store, version)
      );
      CREATE UNIQUE INDEX model_versions_in_order ON {s}.model_versions (store, sequence);
      CREATE TABLE {s}.model_current (
        store text PRIMARY KEY,
        version text NOT NULL
      );
      CREATE TABLE {s}.retrains (
        scope text PRIMARY KEY,
        through_sequence bigint NOT NULL
      );
    `,
  },
];

/**
 * Creates the schema and applies the migrations it lacks, holding a session advisory lock so
 * that instances starting together apply each one once (the others wait, then find it done).
 */
export async function migrate(database: Database): Promise<void> {
  const { schema } = database;
  const client = await database.pool.connect();
  const ignore = () => {};
  client.on('error', ignore);
  let failed: unknown;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCKS.migrations, schema]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.migrations (
          version integer PRIMARY KEY,
          description text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`,
      );
      const { rows } = await client.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${schema}.migrations`,
      );
      const applied = rows[0]?.version ?? 0;
      for (const migration of MIGRATIONS) {
        if (migration.version <= applied) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql.replaceAll('{s}', schema));
          await client.query(`INSERT INTO ${schema}.migrations (version, description) VALUES ($1, $2)`, [
            migration.version,
            migration.description,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(ignore);
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCKS.migrations, schema]);
    }
  } catch (error) {
    failed = error;
    throw error;
  } finally {
    client.off('error', ignore);
    client.release(failed instanceof Error ? failed : undefined);
  }
}

/**
 * Appends changes to the log and announces the newest. Call inside a transaction: it takes the
 * schema's change lock, so transactions append (and commit) one at a time and a reader that has
 * seen sequence n has seen every committed change before it.
 */
export async function lockChanges(client: import('pg').PoolClient, database: Database): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.changes, database.schema]);
}

/** Sequence numbers for `count` new changes, in order. */
export async function nextSequences(
  client: import('pg').PoolClient,
  database: Database,
  count: number,
): Promise<number[]> {
  const { rows } = await client.query<{ sequence: string }>(
    `SELECT nextval('${database.table('change_sequence')}') AS sequence FROM generate_series(1, $1::int) ORDER BY 1`,
    [count],
  );
  return rows.map((row) => Number(row.sequence));
}

/** Changes kept in the log for instances that were away; older ones are pruned. */
const KEEP_CHANGES = 100_000;

/** One change, as the log keeps it and the feed hands it out. */
export interface ChangeRecord {
  sequence: number;
  store: string;
  kind: string;
  subject: string | null;
}

/** Writes changes (sequence numbers from {@link nextSequences}) and `NOTIFY`s the newest. */
export async function recordChanges(
  client: import('pg').PoolClient,
  database: Database,
  changes: readonly ChangeRecord[],
): Promise<void> {
  if (changes.length === 0) return;
  await client.query(
    `INSERT INTO ${database.table('changes')} (sequence, store, kind, subject)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`,
    [
      changes.map((c) => c.sequence),
      changes.map((c) => c.store),
      changes.map((c) => c.kind),
      changes.map((c) => c.subject),
    ],
  );
  const newest = changes.reduce((max, c) => Math.max(max, c.sequence), 0);
  // Every thousandth change or so, the log is cut back to its newest KEEP_CHANGES.
  if (changes.some((c) => c.sequence % 1000 === 0)) {
    const through = newest - KEEP_CHANGES;
    await client.query(`DELETE FROM ${database.table('changes')} WHERE sequence <= $1`, [through]);
    await client.query(
      `UPDATE ${database.table('change_horizon')} SET pruned_through = greatest(pruned_through, $1)`,
      [through],
    );
  }
  await client.query('SELECT pg_notify($1, $2)', [database.channel, String(newest)]);
}
