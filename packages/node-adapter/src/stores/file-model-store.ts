import { join } from 'node:path';
import type { ModelStore } from '@crazy-digits/core';
import { ModelVersionNotFoundError, prepareVersion, StoreClosedError } from '@crazy-digits/core/store-kit';
import { asStoreError, type StoreDamage, StoreDamagedError } from './errors.js';
import { nodeFileSystem, type StoreFileSystem } from './fs.js';
import { createDirectoryLock } from './lock.js';
import { createVersionDirectory, isVersionName, storedModel } from './model-versions.js';

/** Options for {@link createFileModelStore}. */
export interface FileModelStoreOptions {
  /** The store's directory; created if missing. Holds `CURRENT`, `versions/` and a lock. */
  dir: string;
  /** How many versions to keep, newest first; older ones are deleted after each save. Default 5. */
  keep?: number;
  /** As for the corrections store: a lock not refreshed for this long (ms) is taken over. Default 10,000. */
  lockStaleMs?: number;
  /** How long (ms) a save, `setCurrent` or `rollback` waits for another process. Default 30,000. */
  lockTimeoutMs?: number;
  /**
   * Called when a version fails its checksums (a flipped bit, a file cut short). Opening the
   * store moves such a version to `<dir>/damaged/` and reports it; one found damaged later is
   * skipped (the newest intact version is served instead) and reported. Default: nothing.
   */
  onDamage?: (damage: StoreDamage) => void;
  /**
   * The file system to use; tests pass one that fails on demand.
   *
   * @internal
   */
  fs?: StoreFileSystem;
}

/**
 * Versioned model weights on disk. Each version is a directory `versions/<version>/` holding
 * `model.json` and `weights.bin`, written under a temporary name, fsynced and renamed into place;
 * then `CURRENT`, a one-line file naming the current version, is replaced atomically. A crash
 * at any point leaves the previous current version or the new one. Loading checks the CRC-32s
 * and falls back to the newest intact version when the current one is damaged or missing.
 * Opening moves damaged versions to `<dir>/damaged/`, whole, and reports them (`onDamage`).
 */
export async function createFileModelStore(options: FileModelStoreOptions): Promise<ModelStore> {
  const fs = options.fs ?? nodeFileSystem;
  const keep = Math.max(1, options.keep ?? 5);
  const versions = createVersionDirectory({ fs, dir: options.dir, onDamage: options.onDamage });
  const lock = createDirectoryLock(join(options.dir, 'models'), {
    staleMs: options.lockStaleMs,
    timeoutMs: options.lockTimeoutMs,
  });
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** One operation at a time in this process; writes also take the directory's lock. */
  function serially<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new StoreClosedError());
    const result = queue.then(work).catch((error: unknown) => {
      throw asStoreError(`could not ${what} in ${options.dir}`, error);
    });
    queue = result.catch(() => {});
    return result;
  }
  const exclusively = <T>(what: string, work: () => Promise<T>) => serially(what, () => lock.run(work));

  /** A kept version by name, as a caller gives it: dot-names are never versions. */
  const named = (version: string) => (isVersionName(version) ? versions.read(version) : undefined);

  try {
    await fs.mkdir(versions.versionsDir, { recursive: true });
    await lock.run(versions.setAsideDamaged);
  } catch (error) {
    await lock.close().catch(() => {});
    throw asStoreError(`could not open ${options.dir}`, error);
  }

  return {
    persistent: true,
    save(artifacts, meta) {
      if (closed) return Promise.reject(new StoreClosedError());
      let saved: ReturnType<typeof prepareVersion>;
      try {
        saved = prepareVersion(artifacts, meta);
      } catch (error) {
        return Promise.reject(error);
      }
      const { info } = saved;
      return exclusively('save a model version', async () => {
        const sequence = ((await versions.all()).at(-1)?.sequence ?? 0) + 1;
        await versions.write(info, sequence, saved.artifacts);
        // The version is durable and current; a failed clean-up only leaves extra versions.
        await versions.prune(info.version, keep).catch(() => {});
        return structuredClone(info);
      });
    },
    current: () =>
      serially('read the current version', async () => (await versions.resolveCurrent())?.version.info),
    load: (version) =>
      serially('load a model version', async () => {
        if (version === undefined) {
          const found = await versions.resolveCurrent();
          return found ? storedModel(found.version, found.weights) : undefined;
        }
        const found = await named(version);
        if (!found) return undefined;
        const weights = await versions.weightsOf(found);
        if (!weights) throw new StoreDamagedError(versions.weightsPath(found), 0);
        return storedModel(found, weights);
      }),
    list: () => serially('list model versions', async () => (await versions.all()).map((v) => v.info)),
    setCurrent: (version) =>
      exclusively('change the current model version', async () => {
        const found = await named(version);
        if (!found) throw new ModelVersionNotFoundError(version);
        if (!(await versions.weightsOf(found))) throw new StoreDamagedError(versions.weightsPath(found), 0);
        await versions.makeCurrent(version);
        return structuredClone(found.info);
      }),
    rollback: () =>
      exclusively('roll back', async () => {
        const current = await versions.resolveCurrent();
        if (!current) return undefined;
        const earlier = (await versions.all()).filter((v) => v.sequence < current.version.sequence).reverse();
        for (const version of earlier) {
          if (!(await versions.weightsOf(version))) continue;
          await versions.makeCurrent(version.info.version);
          return structuredClone(version.info);
        }
        return undefined;
      }),
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await lock.close();
    },
  };
}
