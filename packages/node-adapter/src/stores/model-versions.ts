import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ModelVersion, StoredModel } from '@crazy-digits/core';
import type { PreparedArtifacts } from '@crazy-digits/core/store-kit';
import type { StoreDamage } from './errors.js';
import {
  isErrorCode,
  replaceFileAtomically,
  type StoreFileSystem,
  syncDirectory,
  writeDurably,
} from './fs.js';
import { decodeModelJson, encodeModelJson, type VersionOnDisk } from './model-json.js';

/** What {@link createVersionDirectory} needs; see `FileModelStoreOptions` for the meaning. */
export interface VersionDirectoryOptions {
  fs: StoreFileSystem;
  dir: string;
  onDamage: ((damage: StoreDamage) => void) | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Names starting with a dot are a save or a prune in progress, or what a crash left of one. */
export const isVersionName = (name: string) => !name.startsWith('.');

/** A version with its weights, as `load` returns it: copies the caller may keep. */
export const storedModel = (version: VersionOnDisk, weights: ArrayBuffer): StoredModel => ({
  info: structuredClone(version.info),
  artifacts: { ...structuredClone(version.artifacts), weightData: weights },
});

/**
 * `<dir>/versions/<version>/` (`model.json` and `weights.bin`) and `<dir>/CURRENT`, the one-line
 * file naming the current version. Callers run one operation at a time, and hold the directory's
 * lock for every call that writes.
 */
export interface VersionDirectory {
  readonly versionsDir: string;
  weightsPath(version: VersionOnDisk): string;
  /** The version of this name, or `undefined` when it is missing or its model.json is damaged. */
  read(name: string): Promise<VersionOnDisk | undefined>;
  /** Every version whose model.json is intact, oldest first. */
  all(): Promise<VersionOnDisk[]>;
  /** The version's weights, or `undefined` (reported as damage) when they fail their checksum. */
  weightsOf(version: VersionOnDisk): Promise<ArrayBuffer | undefined>;
  /** The current version with its weights, or else the newest intact one. */
  resolveCurrent(): Promise<{ version: VersionOnDisk; weights: ArrayBuffer } | undefined>;
  /** Replaces `CURRENT` atomically. */
  makeCurrent(name: string): Promise<void>;
  /**
   * Writes a version under a temporary name, fsynced, renames it into place and makes it
   * current. On failure nothing of it stays listed: a version not acknowledged must not appear
   * later either.
   */
  write(info: ModelVersion, sequence: number, prepared: PreparedArtifacts): Promise<void>;
  /** Keeps the newest `keep` versions and `current`, and removes what crashes left behind. */
  prune(current: string, keep: number): Promise<void>;
  /** Moves every version that fails its checksums to `<dir>/damaged/`, whole. */
  setAsideDamaged(): Promise<void>;
}

export function createVersionDirectory(options: VersionDirectoryOptions): VersionDirectory {
  const { fs } = options;
  const versionsDir = join(options.dir, 'versions');
  const currentPath = join(options.dir, 'CURRENT');
  const weightsPath = (version: VersionOnDisk) => join(versionsDir, version.info.version, 'weights.bin');
  const weightsMatch = (version: VersionOnDisk, bytes: Uint8Array) =>
    bytes.byteLength === version.weightBytes && crc32(bytes) === version.weightCrc32;

  async function read(name: string): Promise<VersionOnDisk | undefined> {
    try {
      const found = decodeModelJson(await fs.readFile(join(versionsDir, name, 'model.json')));
      return found.info.version === name ? found : undefined;
    } catch {
      return undefined;
    }
  }

  async function all(): Promise<VersionOnDisk[]> {
    let names: string[];
    try {
      names = await fs.readdir(versionsDir);
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return [];
      throw error;
    }
    const found = await Promise.all(names.filter(isVersionName).map(read));
    return found
      .filter((v): v is VersionOnDisk => v !== undefined)
      .sort((a, b) => a.sequence - b.sequence || a.info.createdAt - b.info.createdAt);
  }

  async function weightsOf(version: VersionOnDisk): Promise<ArrayBuffer | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(weightsPath(version));
    } catch {
      return undefined;
    }
    if (!weightsMatch(version, bytes)) {
      options.onDamage?.({ file: weightsPath(version), offset: 0, bytes: bytes.byteLength });
      return undefined;
    }
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return copy.buffer;
  }

  async function currentName(): Promise<string | undefined> {
    try {
      return decoder.decode(await fs.readFile(currentPath)).trim() || undefined;
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  /** Removes a directory so that a crash midway never leaves a half-deleted version visible. */
  async function discard(name: string): Promise<void> {
    const trash = join(versionsDir, `.trash-${name}`);
    await fs.rename(join(versionsDir, name), trash);
    await syncDirectory(fs, versionsDir);
    await fs.rm(trash, { recursive: true, force: true });
  }

  const makeCurrent = (name: string) => replaceFileAtomically(fs, currentPath, [encoder.encode(`${name}\n`)]);

  return {
    versionsDir,
    weightsPath,
    read,
    all,
    weightsOf,
    makeCurrent,
    async resolveCurrent() {
      const name = await currentName();
      const versions = await all();
      const named = versions.find((v) => v.info.version === name);
      const candidates = named
        ? [named, ...versions.filter((v) => v !== named).reverse()]
        : versions.reverse();
      for (const version of candidates) {
        const weights = await weightsOf(version);
        if (weights) return { version, weights };
      }
      return undefined;
    },

    async write(info, sequence, prepared) {
      const { weightData, ...rest } = prepared;
      const temporary = join(versionsDir, `.tmp-${process.pid}-${info.version}`);
      let renamed = false;
      try {
        await fs.mkdir(temporary);
        await writeDurably(fs, join(temporary, 'weights.bin'), [new Uint8Array(weightData)]);
        await writeDurably(fs, join(temporary, 'model.json'), [
          encodeModelJson({ info, sequence, artifacts: rest }, weightData),
        ]);
        await syncDirectory(fs, temporary);
        await fs.rename(temporary, join(versionsDir, info.version));
        renamed = true;
        await syncDirectory(fs, versionsDir);
        await makeCurrent(info.version);
      } catch (error) {
        if (renamed) await discard(info.version).catch(() => {});
        else await fs.rm(temporary, { recursive: true, force: true }).catch(() => {});
        throw error;
      }
    },
    async prune(current, keep) {
      const versions = await all();
      const excess = versions
        .filter((v) => v.info.version !== current)
        .slice(0, Math.max(0, versions.length - keep));
      for (const version of excess) await discard(version.info.version);
      // Leftovers of saves and prunes that a crash interrupted.
      for (const name of await fs.readdir(versionsDir))
        if (name.startsWith('.')) await fs.rm(join(versionsDir, name), { recursive: true, force: true });
    },
    async setAsideDamaged() {
      const names = (await fs.readdir(versionsDir)).filter(isVersionName);
      const damagedDir = join(options.dir, 'damaged');
      for (const name of names) {
        const version = await read(name);
        let file = join(versionsDir, name, 'model.json');
        if (version) {
          file = weightsPath(version);
          const bytes = await fs.readFile(file).catch(() => undefined);
          if (bytes && weightsMatch(version, bytes)) continue;
        }
        const size = await fs.stat(file).then(
          (info) => info.size,
          () => 0,
        );
        await fs.mkdir(damagedDir, { recursive: true });
        const aside = join(damagedDir, `${name}.${Date.now()}`);
        await fs.rename(join(versionsDir, name), aside);
        await syncDirectory(fs, damagedDir);
        await syncDirectory(fs, versionsDir);
        options.onDamage?.({ file, offset: 0, bytes: size, setAsideTo: aside });
      }
    },
  };
}
