import pg from 'pg';
import { asDatabaseError, InvalidPostgresOptionsError, isConnectionError } from './errors.js';
import { migrate } from './migrations.js';

/** Where a Postgres store, change feed or lock finds its database. */
export interface PostgresConnectionOptions {
  /**
   * A pool of your own (`new pg.Pool(...)`), shared with the rest of the app. The store uses it
   * and leaves it open on `close()`. Give this or `connectionString`.
   */
  pool?: pg.Pool;
  /**
   * A connection string (`postgres://user:pass@host/db`, or `postgres:///db?host=/var/run/postgresql`
   * for the Unix socket). The store opens a pool of its own and ends it on `close()`.
   */
  connectionString?: string;
  /**
   * The schema holding the tables: created, with its tables, on first use. Lower-case letters,
   * digits and `_`. Default `'crazy_digits'`. Stores, feeds and locks work together when they
   * share a schema.
   */
  schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DEFAULT_SCHEMA = 'crazy_digits';

/** A pool and a migrated schema, as every part of the adapter uses them. */
export interface Database {
  pool: pg.Pool;
  schema: string;
  /** `schema.name`, quoted where needed: schema names are checked, so no quoting is. */
  table(name: string): string;
  /** The channel `NOTIFY` uses for this schema's changes. */
  channel: string;
  /** Runs `work` on one connection inside a transaction; rolls back when it throws. */
  transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Runs one statement, mapping failures to typed errors. */
  query<R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Ends the pool when it is the database's own. */
  end(): Promise<void>;
}

/** Advisory-lock namespaces (the first key of the two-key form), so our locks meet no one else's. */
export const LOCKS = { migrations: 0x6364_0001, changes: 0x6364_0002, retrain: 0x6364_0003 } as const;

const ignore = () => {};

/** Opens (or borrows) the pool, checks the options and brings the schema up to date. */
export async function openDatabase(options: PostgresConnectionOptions): Promise<Database> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema))
    throw new InvalidPostgresOptionsError(`schema must match ${SCHEMA_NAME}, got "${schema}"`);
  if ((options.pool === undefined) === (options.connectionString === undefined))
    throw new InvalidPostgresOptionsError('give either pool or connectionString');
  const owned = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString });
  // An idle connection that dies emits 'error' on the pool, which would end the process unheard.
  if (owned) pool.on('error', ignore);

  async function transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw asDatabaseError(`could not ${what}`, error);
    }
    client.on('error', ignore);
    let failed: unknown;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failed = error;
      await client.query('ROLLBACK').catch(ignore);
      throw asDatabaseError(`could not ${what}`, error);
    } finally {
      client.off('error', ignore);
      // A connection that failed is closed rather than handed to the next caller.
      client.release(isConnectionError(failed) ? (failed as Error) : undefined);
    }
  }

  const database: Database = {
    pool,
    schema,
    table: (name) => `${schema}.${name}`,
    channel: `crazy_digits_${schema}`,
    transaction,
    async query<R extends pg.QueryResultRow>(what: string, text: string, values?: unknown[]) {
      try {
        return await pool.query<R>(text, values);
      } catch (error) {
        throw asDatabaseError(`could not ${what}`, error);
      }
    },
    async end() {
      if (owned) await pool.end().catch(ignore);
    },
  };
  try {
    await migrate(database);
  } catch (error) {
    await database.end();
    throw asDatabaseError(`could not prepare schema "${schema}"`, error);
  }
  return database;
}
