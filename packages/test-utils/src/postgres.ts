import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import pg from 'pg';

/** The Unix socket directory of Debian's PostgreSQL. */
const SOCKET_DIR = '/var/run/postgresql';
const DATABASE = 'crazy_digits_test';

/** A database the tests may create schemas in, or why there is none. */
export type TestDatabase =
  | { connectionString: string; skipReason?: undefined }
  | { connectionString?: undefined; skipReason: string };

async function reachable(connectionString: string): Promise<unknown> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => {});
  }
}

const run = (command: string, args: string[]) => {
  try {
    execFileSync(command, args, { stdio: 'pipe', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts Debian's PostgreSQL when it is installed but not running (as CI's `.ci/run` does:
 * `pg_ctlcluster`, a superuser role for root, a test database) and returns a connection string
 * over the Unix socket. `CRAZY_DIGITS_TEST_DATABASE_URL` names another database instead.
 */
async function findTestDatabase(): Promise<TestDatabase> {
  const given = process.env.CRAZY_DIGITS_TEST_DATABASE_URL;
  if (given) {
    const error = await reachable(given);
    return error
      ? { skipReason: `CRAZY_DIGITS_TEST_DATABASE_URL is unreachable: ${String(error)}` }
      : { connectionString: given };
  }
  const connectionString = `postgres://${userInfo().username}@localhost/${DATABASE}?host=${SOCKET_DIR}`;
  if (!(await reachable(connectionString))) return { connectionString };
  if (!existsSync('/usr/bin/pg_lsclusters'))
    return {
      skipReason: "no PostgreSQL: Debian's postgresql package is not installed (.ci/run installs it)",
    };
  if (process.getuid?.() !== 0)
    return {
      skipReason: `PostgreSQL is installed but not reachable at ${SOCKET_DIR}, and only root may start it`,
    };
  const clusters = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && fields[0] !== '');
  for (const [version, cluster] of clusters)
    if (version && cluster) run('pg_ctlcluster', [version, cluster, 'start']);
  // Postgres refuses to run as root: the role and database are made by its own user.
  run('su', ['postgres', '-c', 'createuser -s root']);
  run('createdb', [DATABASE]);
  const error = await reachable(connectionString);
  return error ? { skipReason: `PostgreSQL could not be started: ${String(error)}` } : { connectionString };
}

let found: Promise<TestDatabase> | undefined;

/** The test database, found (and started if need be) once per test process. */
export function testDatabase(): Promise<TestDatabase> {
  found ??= findTestDatabase();
  return found;
}

/** A fresh schema name, so test files running at once never meet. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Drops a schema the tests made, with everything in it. */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
