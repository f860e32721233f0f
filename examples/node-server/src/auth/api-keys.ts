import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { USER_ID_PATTERN } from '../schemas.js';

/** `admin` keys may also work in the global scope; `user` keys only in their user's. */
export type Role = 'user' | 'admin';

/** One key as `api-keys.json` keeps it: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  /** Public, and part of the key: it finds the record without comparing every hash. */
  id: string;
  user: string;
  role: Role;
  /** Hex SHA-256 of the whole key. */
  sha256: string;
  createdAt: string;
}

/** Who a request's key belongs to. */
export interface Principal {
  keyId: string;
  user: string;
  role: Role;
}

export const KEYS_FILE = 'api-keys.json';

/**
 * A key is `cdk_<id>_<secret>`: an 8-character id and 256 random bits, both base64url. A secret
 * of 256 random bits cannot be guessed or brute-forced from its hash, so one SHA-256 is a safe
 * hash for it (a slow hash such as scrypt protects low-entropy passwords, and would cost
 * milliseconds per request); the id lets a request find its record without trying them all.
 */
const KEY_FORMAT = /^cdk_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;
const userPattern = new RegExp(USER_ID_PATTERN);

const sha256 = (text: string) => createHash('sha256').update(text).digest();

function parseKeyFile(text: string, path: string): ApiKeyRecord[] {
  const parsed: unknown = JSON.parse(text);
  const keys: unknown =
    typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'keys') : undefined;
  if (!Array.isArray(keys)) throw new Error(`${path} has no "keys" array`);
  return keys.map((entry: unknown) => {
    const field = (name: string): unknown =>
      typeof entry === 'object' && entry !== null ? Reflect.get(entry, name) : undefined;
    const [id, user, role, hash, createdAt] = ['id', 'user', 'role', 'sha256', 'createdAt'].map(field);
    // The user names a directory: a hand-edited file must not reach outside DATA_DIR.
    if (
      typeof id !== 'string' ||
      typeof user !== 'string' ||
      !userPattern.test(user) ||
      (role !== 'user' && role !== 'admin') ||
      typeof hash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(hash) ||
      typeof createdAt !== 'string'
    )
      throw new Error(`${path} holds a malformed key record`);
    return { id, user, role, sha256: hash, createdAt };
  });
}

/** The keys in `dataDir/api-keys.json`; none when the file does not exist. */
export async function readKeys(dataDir: string): Promise<ApiKeyRecord[]> {
  const path = join(dataDir, KEYS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && Reflect.get(error, 'code') === 'ENOENT') return [];
    throw error;
  }
  return parseKeyFile(text, path);
}

/** Replaces the key file atomically (temporary file, rename), readable by its owner only. */
async function writeKeys(dataDir: string, keys: ApiKeyRecord[]): Promise<void> {
  const path = join(dataDir, KEYS_FILE);
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** Where API key records live: `api-keys.json` in the data directory, or a database table. */
export interface KeyStorage {
  /** Every record; `undefined` when nothing changed since the last call (a cheap check first). */
  load(): Promise<ApiKeyRecord[] | undefined>;
  /** Adds a record. */
  add(record: ApiKeyRecord): Promise<void>;
  /** Removes every record of `user`; resolves how many there were. */
  revoke(user: string): Promise<number>;
}

/** The keys in `dataDir/api-keys.json`, re-read when the file's identity (inode, size, mtime) changes. */
export function fileKeyStorage(dataDir: string): KeyStorage {
  const path = join(dataDir, KEYS_FILE);
  let seen = '';
  return {
    async load() {
      const info = await stat(path).catch(() => undefined);
      const identity = info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'none';
      if (identity === seen) return undefined;
      const keys = await readKeys(dataDir);
      seen = identity;
      return keys;
    },
    add: async (record) => writeKeys(dataDir, [...(await readKeys(dataDir)), record]),
    revoke: (user) => revokeKeys(dataDir, user),
  };
}

/** A new key record for `user`, and the key: the only time the key itself exists. */
export function newKey(user: string, role: Role): { key: string; record: ApiKeyRecord } {
  if (!userPattern.test(user))
    throw new Error(`a user name is 1–64 letters, digits, '_' or '-', got "${user}"`);
  const id = randomBytes(6).toString('base64url');
  const key = `cdk_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    user,
    role,
    sha256: sha256(key).toString('hex'),
    createdAt: new Date().toISOString(),
  };
  return { key, record };
}

/** Creates a key for `user` in `dataDir/api-keys.json` and returns it. */
export async function addKey(
  dataDir: string,
  user: string,
  role: Role,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const created = newKey(user, role);
  await fileKeyStorage(dataDir).add(created.record);
  return created;
}

/** Removes every key of `user`; returns how many there were. */
export async function revokeKeys(dataDir: string, user: string): Promise<number> {
  const keys = await readKeys(dataDir);
  const kept = keys.filter((record) => record.user !== user);
  if (kept.length !== keys.length) await writeKeys(dataDir, kept);
  return keys.length - kept.length;
}

/** The server's view of the key file, re-read when it changes. */
export interface Keyring {
  /** The principal of a presented key, or `undefined` for a malformed, unknown or revoked one. */
  authenticate(key: string): Principal | undefined;
  close(): void;
}

/**
 * Loads the keys and checks them for changes every `reloadMs` (off the request path), so keys
 * added or revoked with `npm run keys` take effect within that time. Keys that cannot be read
 * keep the ones last loaded, and `onError` hears of it.
 */
export async function openKeyring(
  storage: KeyStorage,
  { reloadMs = 1000, onError }: { reloadMs?: number; onError?: (error: unknown) => void } = {},
): Promise<Keyring> {
  let byId = new Map<string, ApiKeyRecord>();
  async function reload() {
    const records = await storage.load();
    if (records) byId = new Map(records.map((record) => [record.id, record]));
  }
  await reload();
  let reloading = false;
  const timer = setInterval(() => {
    if (reloading) return;
    reloading = true;
    reload()
      .catch((error: unknown) => onError?.(error))
      .finally(() => {
        reloading = false;
      });
  }, reloadMs);
  timer.unref();
  return {
    authenticate(key) {
      const match = KEY_FORMAT.exec(key);
      const record = match?.[1] === undefined ? undefined : byId.get(match[1]);
      if (!record) return undefined;
      const expected = Buffer.from(record.sha256, 'hex');
      if (!timingSafeEqual(sha256(key), expected)) return undefined;
      return { keyId: record.id, user: record.user, role: record.role };
    },
    close: () => clearInterval(timer),
  };
}
