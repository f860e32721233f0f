import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ModelStore, ModelVersion, StoredModel } from '@crazy-digits/core';
import {
  ModelVersionNotFoundError,
  newVersion,
  prepareArtifacts,
  StoreClosedError,
} from '@crazy-digits/core/store-kit';
import type * as tf from '@tensorflow/tfjs';
import { asStoreError, type StoreDamage, StoreDamagedError } from './errors.js';
import {
  isErrorCode,
  nodeFileSystem,
  replaceFileAtomically,
  type StoreFileSystem,
  syncDirectory,
  writeDurably,
} from './fs.js';
import { createDirectoryLock } from './lock.js';

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

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const CHECKSUM_KEY = 'crazyDigitsChecksum';
const VERSION_FORMAT = 1;

/** One version as found on disk: its details, and what is needed to check and load its weights. */
interface VersionOnDisk {
  info: ModelVersion;
  sequence: number;
  artifacts: Omit<tf.io.ModelArtifacts, 'weightData'>;
  weightBytes: number;
  weightCrc32: number;
}

/**
 * `model.json` is a tfjs model.json (`tf.loadLayersModel('file://…/model.json')` reads a version
 * directory as it is) with the store's own fields beside: the version details, a sequence number
 * (versions saved in one millisecond still sort), the weights' size and CRC-32, and last a CRC-32
 * of the JSON text before it, so a damaged topology or spec is caught, not just damaged weights.
 */
function encodeModelJson(version: Omit<VersionOnDisk, 'weightBytes' | 'weightCrc32'>, weights: ArrayBuffer) {
  const { modelTopology, weightSpecs, format, generatedBy, convertedBy } = version.artifacts;
  const body = {
    format,
    generatedBy,
    convertedBy,
    modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
    crazyDigits: {
      formatVersion: VERSION_FORMAT,
      sequence: version.sequence,
      info: version.info,
      weights: { bytes: weights.byteLength, crc32: crc32(new Uint8Array(weights)) },
    },
  };
  const text = JSON.stringify(body);
  return encoder.encode(`${text.slice(0, -1)},"${CHECKSUM_KEY}":${crc32(encoder.encode(text))}}`);
}

const field = (record: object, key: string): unknown =>
  key in record ? Reflect.get(record, key) : undefined;
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

function numbersIn(record: object): Record<string, number> {
  const numbers: Record<string, number> = {};
  for (const key of Object.keys(record)) {
    const value = field(record, key);
    if (typeof value === 'number') numbers[key] = value;
  }
  return numbers;
}

const DTYPES = ['float32', 'int32', 'bool', 'string', 'complex64'] as const;
const QUANTIZED = ['uint16', 'uint8', 'float16'] as const;
const GROUPS = ['model', 'optimizer'] as const;
const oneOf = <T extends string>(choices: readonly T[], value: unknown): value is T =>
  choices.some((choice) => choice === value);

function weightSpecOf(value: unknown): tf.io.WeightsManifestEntry {
  if (!isObject(value)) throw new Error('a weight spec is not an object');
  const name = field(value, 'name');
  const shape = field(value, 'shape');
  const dtype = field(value, 'dtype');
  if (typeof name !== 'string' || !Array.isArray(shape) || !oneOf(DTYPES, dtype))
    throw new Error('a weight spec lacks its name, shape or dtype');
  const spec: tf.io.WeightsManifestEntry = {
    name,
    dtype,
    shape: shape.map((size: unknown) => (typeof size === 'number' ? size : Number.NaN)),
  };
  const group = field(value, 'group');
  if (oneOf(GROUPS, group)) spec.group = group;
  const quantization = field(value, 'quantization');
  if (isObject(quantization)) {
    const quantizedType = field(quantization, 'dtype');
    const scale = field(quantization, 'scale');
    const min = field(quantization, 'min');
    if (!oneOf(QUANTIZED, quantizedType)) throw new Error('a weight spec has an unknown quantization');
    spec.quantization = {
      dtype: quantizedType,
      ...(typeof scale === 'number' ? { scale } : {}),
      ...(typeof min === 'number' ? { min } : {}),
    };
  }
  return spec;
}

function decodeModelJson(bytes: Uint8Array): VersionOnDisk {
  const text = decoder.decode(bytes);
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new Error('model.json is not an object');
  const checksum = field(parsed, CHECKSUM_KEY);
  const suffix = `,"${CHECKSUM_KEY}":${String(checksum)}}`;
  if (!text.endsWith(suffix) || crc32(encoder.encode(`${text.slice(0, -suffix.length)}}`)) !== checksum)
    throw new Error('model.json does not match its checksum');
  const ours = field(parsed, 'crazyDigits');
  const manifest = field(parsed, 'weightsManifest');
  const group: unknown = Array.isArray(manifest) ? manifest[0] : undefined;
  if (!isObject(ours) || !isObject(group) || field(ours, 'formatVersion') !== VERSION_FORMAT)
    throw new Error('model.json is not a crazy-digits model version');
  const info = field(ours, 'info');
  const sequence = field(ours, 'sequence');
  const weights = field(ours, 'weights');
  const specs = field(group, 'weights');
  const modelTopology = field(parsed, 'modelTopology');
  if (!isObject(info) || !isObject(weights) || typeof sequence !== 'number' || !Array.isArray(specs))
    throw new Error('model.json lacks its version details or weight specs');
  const version = field(info, 'version');
  const createdAt = field(info, 'createdAt');
  const weightBytes = field(weights, 'bytes');
  const weightCrc32 = field(weights, 'crc32');
  if (typeof version !== 'string' || typeof createdAt !== 'number')
    throw new Error('model.json lacks a version');
  if (typeof weightBytes !== 'number' || typeof weightCrc32 !== 'number' || !isObject(modelTopology))
    throw new Error('model.json lacks its topology or weights checksum');
  const parent = field(info, 'parent');
  const note = field(info, 'note');
  const metrics = field(info, 'metrics');
  const format = field(parsed, 'format');
  const generatedBy = field(parsed, 'generatedBy');
  const convertedBy = field(parsed, 'convertedBy');
  return {
    sequence,
    weightBytes,
    weightCrc32,
    info: {
      version,
      createdAt,
      ...(typeof parent === 'string' ? { parent } : {}),
      ...(isObject(metrics) ? { metrics: numbersIn(metrics) } : {}),
      ...(typeof note === 'string' ? { note } : {}),
    },
    artifacts: {
      modelTopology,
      weightSpecs: specs.map(weightSpecOf),
      ...(typeof format === 'string' ? { format } : {}),
      ...(typeof generatedBy === 'string' ? { generatedBy } : {}),
      ...(typeof convertedBy === 'string' ? { convertedBy } : {}),
    },
  };
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
  const versionsDir = join(options.dir, 'versions');
  const currentPath = join(options.dir, 'CURRENT');
  const lock = createDirectoryLock(join(options.dir, 'models'), {
    staleMs: options.lockStaleMs ?? 10_000,
    timeoutMs: options.lockTimeoutMs ?? 30_000,
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

  const isVersionName = (name: string) => !name.startsWith('.');

  async function readVersion(name: string): Promise<VersionOnDisk | undefined> {
    try {
      const found = decodeModelJson(await fs.readFile(join(versionsDir, name, 'model.json')));
      return found.info.version === name ? found : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every version whose model.json is intact, oldest first. */
  async function versions(): Promise<VersionOnDisk[]> {
    let names: string[];
    try {
      names = await fs.readdir(versionsDir);
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return [];
      throw error;
    }
    const found = await Promise.all(names.filter(isVersionName).map(readVersion));
    return found
      .filter((v): v is VersionOnDisk => v !== undefined)
      .sort((a, b) => a.sequence - b.sequence || a.info.createdAt - b.info.createdAt);
  }

  const weightsPath = (version: VersionOnDisk) => join(versionsDir, version.info.version, 'weights.bin');

  async function weightsOf(version: VersionOnDisk): Promise<ArrayBuffer | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(weightsPath(version));
    } catch {
      return undefined;
    }
    if (bytes.byteLength !== version.weightBytes || crc32(bytes) !== version.weightCrc32) {
      options.onDamage?.({ file: weightsPath(version), offset: 0, bytes: bytes.byteLength });
      return undefined;
    }
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return copy.buffer;
  }

  /** Moves every version that fails its checksums to `<dir>/damaged/`, whole. Holds the lock. */
  async function setAsideDamaged(): Promise<void> {
    const names = (await fs.readdir(versionsDir)).filter(isVersionName);
    const damagedDir = join(options.dir, 'damaged');
    for (const name of names) {
      const version = await readVersion(name);
      let file = join(versionsDir, name, 'model.json');
      if (version) {
        file = weightsPath(version);
        const bytes = await fs.readFile(file).catch(() => undefined);
        if (bytes && bytes.byteLength === version.weightBytes && crc32(bytes) === version.weightCrc32)
          continue;
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
  }

  async function currentName(): Promise<string | undefined> {
    try {
      return decoder.decode(await fs.readFile(currentPath)).trim() || undefined;
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  /** The current version with its weights, or else the newest intact one. */
  async function resolveCurrent(): Promise<{ version: VersionOnDisk; weights: ArrayBuffer } | undefined> {
    const name = await currentName();
    const all = await versions();
    const named = all.find((v) => v.info.version === name);
    const candidates = named ? [named, ...all.filter((v) => v !== named).reverse()] : all.reverse();
    for (const version of candidates) {
      const weights = await weightsOf(version);
      if (weights) return { version, weights };
    }
    return undefined;
  }

  const stored = (version: VersionOnDisk, weights: ArrayBuffer): StoredModel => ({
    info: structuredClone(version.info),
    artifacts: { ...structuredClone(version.artifacts), weightData: weights },
  });

  async function makeCurrent(name: string): Promise<void> {
    await replaceFileAtomically(fs, currentPath, [encoder.encode(`${name}\n`)]);
  }

  /** Removes a directory so that a crash midway never leaves a half-deleted version visible. */
  async function discard(name: string): Promise<void> {
    const trash = join(versionsDir, `.trash-${name}`);
    await fs.rename(join(versionsDir, name), trash);
    await syncDirectory(fs, versionsDir);
    await fs.rm(trash, { recursive: true, force: true });
  }

  async function prune(current: string): Promise<void> {
    const all = await versions();
    const excess = all.filter((v) => v.info.version !== current).slice(0, Math.max(0, all.length - keep));
    for (const version of excess) await discard(version.info.version);
    // Leftovers of saves and prunes that a crash interrupted.
    for (const name of await fs.readdir(versionsDir))
      if (name.startsWith('.')) await fs.rm(join(versionsDir, name), { recursive: true, force: true });
  }

  try {
    await fs.mkdir(versionsDir, { recursive: true });
    await lock.run(setAsideDamaged);
  } catch (error) {
    await lock.close().catch(() => {});
    throw asStoreError(`could not open ${options.dir}`, error);
  }

  return {
    persistent: true,
    save(artifacts, meta) {
      if (closed) return Promise.reject(new StoreClosedError());
      let prepared: ReturnType<typeof prepareArtifacts>;
      try {
        prepared = prepareArtifacts(artifacts);
      } catch (error) {
        return Promise.reject(error);
      }
      const info = newVersion(meta);
      return exclusively('save a model version', async () => {
        const sequence = ((await versions()).at(-1)?.sequence ?? 0) + 1;
        const { weightData, ...rest } = prepared;
        const temporary = join(versionsDir, `.tmp-${process.pid}-${info.version}`);
        const final = join(versionsDir, info.version);
        let renamed = false;
        try {
          await fs.mkdir(temporary);
          await writeDurably(fs, join(temporary, 'weights.bin'), [new Uint8Array(weightData)]);
          await writeDurably(fs, join(temporary, 'model.json'), [
            encodeModelJson({ info, sequence, artifacts: rest }, weightData),
          ]);
          await syncDirectory(fs, temporary);
          await fs.rename(temporary, final);
          renamed = true;
          await syncDirectory(fs, versionsDir);
          await makeCurrent(info.version);
        } catch (error) {
          // A version that is not acknowledged must not be listed later either.
          if (renamed) await discard(info.version).catch(() => {});
          else await fs.rm(temporary, { recursive: true, force: true }).catch(() => {});
          throw error;
        }
        // The version is durable and current; a failed clean-up only leaves extra versions.
        await prune(info.version).catch(() => {});
        return structuredClone(info);
      });
    },
    current: () => serially('read the current version', async () => (await resolveCurrent())?.version.info),
    load: (version) =>
      serially('load a model version', async () => {
        if (version === undefined) {
          const found = await resolveCurrent();
          return found ? stored(found.version, found.weights) : undefined;
        }
        const found = isVersionName(version) ? await readVersion(version) : undefined;
        if (!found) return undefined;
        const weights = await weightsOf(found);
        if (!weights) throw new StoreDamagedError(weightsPath(found), 0);
        return stored(found, weights);
      }),
    list: () => serially('list model versions', async () => (await versions()).map((v) => v.info)),
    setCurrent: (version) =>
      exclusively('change the current model version', async () => {
        const found = isVersionName(version) ? await readVersion(version) : undefined;
        if (!found) throw new ModelVersionNotFoundError(version);
        if (!(await weightsOf(found))) throw new StoreDamagedError(weightsPath(found), 0);
        await makeCurrent(version);
        return structuredClone(found.info);
      }),
    rollback: () =>
      exclusively('roll back', async () => {
        const current = await resolveCurrent();
        if (!current) return undefined;
        const earlier = (await versions()).filter((v) => v.sequence < current.version.sequence).reverse();
        for (const version of earlier) {
          if (!(await weightsOf(version))) continue;
          await makeCurrent(version.info.version);
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
