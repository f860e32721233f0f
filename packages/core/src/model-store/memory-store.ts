import { StoreClosedError } from '../corrections/errors.js';
import { type PreparedArtifacts, prepareVersion } from './artifacts.js';
import { ModelVersionNotFoundError } from './errors.js';
import type { ModelStore, ModelVersion, StoredModel } from './types.js';

/** Options for {@link createMemoryModelStore}. */
export interface MemoryModelStoreOptions {
  /** How many versions to keep, newest first. Default 5. */
  keep?: number;
}

const copyInfo = (info: ModelVersion): ModelVersion => structuredClone(info);

/** Model versions in memory: for tests and for apps that only need rollback within a session. */
export function createMemoryModelStore(options: MemoryModelStoreOptions = {}): ModelStore {
  const keep = Math.max(1, options.keep ?? 5);
  const versions: Array<{ info: ModelVersion; artifacts: PreparedArtifacts }> = [];
  let currentVersion: string | undefined;
  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };
  const find = (version: string) => versions.find((v) => v.info.version === version);

  return {
    persistent: false,
    async save(artifacts, meta) {
      open();
      const saved = prepareVersion(artifacts, meta);
      versions.push(saved);
      currentVersion = saved.info.version;
      // The new version is current, so dropping the oldest never drops the current one.
      if (versions.length > keep) versions.splice(0, versions.length - keep);
      return copyInfo(saved.info);
    },
    async current() {
      open();
      const found = currentVersion === undefined ? undefined : find(currentVersion);
      return found ? copyInfo(found.info) : undefined;
    },
    async load(version): Promise<StoredModel | undefined> {
      open();
      const name = version ?? currentVersion;
      const found = name === undefined ? undefined : find(name);
      if (!found) return undefined;
      return {
        info: copyInfo(found.info),
        artifacts: {
          ...structuredClone({ ...found.artifacts, weightData: undefined }),
          weightData: found.artifacts.weightData.slice(0),
        },
      };
    },
    async list() {
      open();
      return versions.map((v) => copyInfo(v.info));
    },
    async setCurrent(version) {
      open();
      const found = find(version);
      if (!found) throw new ModelVersionNotFoundError(version);
      currentVersion = version;
      return copyInfo(found.info);
    },
    async rollback() {
      open();
      const at = versions.findIndex((v) => v.info.version === currentVersion);
      const previous = at > 0 ? versions[at - 1] : undefined;
      if (!previous) return undefined;
      currentVersion = previous.info.version;
      return copyInfo(previous.info);
    },
    async close() {
      closed = true;
    },
  };
}
