/**
 * Manages the server's API keys in `DATA_DIR/api-keys.json`:
 *
 *   npm run keys -w examples/node-server -- add <user> [--admin]   # prints the new key last
 *   npm run keys -w examples/node-server -- list
 *   npm run keys -w examples/node-server -- revoke <user>
 *
 * A running server picks changes up within a second.
 */
import { mkdir } from 'node:fs/promises';
import { addKey, readKeys, revokeKeys } from './auth/api-keys.js';

const USAGE = 'usage: keys add <user> [--admin] | keys list | keys revoke <user>';
const dataDir = process.env.DATA_DIR || './data';
const [command, ...rest] = process.argv.slice(2);
const user = rest.find((arg) => !arg.startsWith('--'));

try {
  if (command === 'add' && user) {
    await mkdir(dataDir, { recursive: true });
    const { key, record } = await addKey(dataDir, user, rest.includes('--admin') ? 'admin' : 'user');
    console.log(`added ${record.role} key ${record.id} for ${record.user}; it is shown once, keep it now:`);
    console.log(key);
  } else if (command === 'list') {
    for (const { id, user: owner, role, createdAt } of await readKeys(dataDir))
      console.log(`${id}\t${owner}\t${role}\t${createdAt}`);
  } else if (command === 'revoke' && user) {
    const revoked = await revokeKeys(dataDir, user);
    console.log(`revoked ${revoked} key${revoked === 1 ? '' : 's'} of ${user}`);
    if (revoked === 0) process.exitCode = 1;
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
