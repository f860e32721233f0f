/**
 * Manages the server's API keys: in `DATA_DIR/api-keys.json`, or with `DATABASE_URL` set, in
 * that database (where every instance reads them):
 *
 *   npm run keys -w examples/node-server -- add <user> [--admin]   # prints the new key last
 *   npm run keys -w examples/node-server -- list
 *   npm run keys -w examples/node-server -- revoke <user>
 *
 * A running server picks changes up within a second.
 */
import { mkdir } from 'node:fs/promises';
import { fileKeyStorage, type KeyStorage, newKey } from './auth/api-keys.js';
import { type Cluster, openCluster } from './cluster.js';

const USAGE = 'usage: keys add <user> [--admin] | keys list | keys revoke <user>';
const dataDir = process.env.DATA_DIR || './data';
const databaseUrl = process.env.DATABASE_URL?.trim();
const [command, ...rest] = process.argv.slice(2);
const user = rest.find((arg) => !arg.startsWith('--'));

let cluster: Cluster | undefined;
try {
  let storage: KeyStorage;
  if (databaseUrl) {
    cluster = await openCluster(databaseUrl, process.env.DATABASE_SCHEMA?.trim() || undefined);
    storage = cluster.keys;
  } else storage = fileKeyStorage(dataDir);
  if (command === 'add' && user) {
    if (!databaseUrl) await mkdir(dataDir, { recursive: true });
    const { key, record } = newKey(user, rest.includes('--admin') ? 'admin' : 'user');
    await storage.add(record);
    console.log(`added ${record.role} key ${record.id} for ${record.user}; it is shown once, keep it now:`);
    console.log(key);
  } else if (command === 'list') {
    for (const { id, user: owner, role, createdAt } of (await storage.load()) ?? [])
      console.log(`${id}\t${owner}\t${role}\t${createdAt}`);
  } else if (command === 'revoke' && user) {
    const revoked = await storage.revoke(user);
    console.log(`revoked ${revoked} key${revoked === 1 ? '' : 's'} of ${user}`);
    if (revoked === 0) process.exitCode = 1;
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await cluster?.close();
}
