import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BackendPreference,
  type CorrectionStore,
  createMemoryCorrectionStore,
  createMemoryModelStore,
  createRecognizer,
  type ModelStore,
  type Recognizer,
} from '@crazy-digits/core';
import { createFileCorrectionStore, createFileModelStore } from '@crazy-digits/node-adapter';
import { UsageError } from './errors.js';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendPreference[];

/** The `--backend` value, checked. */
export function parseBackend(value: string): BackendPreference {
  const backend = BACKENDS.find((name) => name === value);
  if (!backend) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${value}'`);
  return backend;
}

/** The data directory's two stores. */
export interface DataDir {
  /** Absolute path of the directory. */
  dir: string;
  /** False when the directory does not exist and nothing was created (read-only commands). */
  exists: boolean;
  corrections: CorrectionStore;
  models: ModelStore;
  close(): Promise<void>;
}

/**
 * Opens `<dir>/corrections` and `<dir>/models`. With `create: false` (commands that only read)
 * a directory that does not exist is not created: the stores are empty in-memory ones instead.
 */
export async function openDataDir(dir: string, { create }: { create: boolean }): Promise<DataDir> {
  const exists = existsSync(dir);
  if (!exists && !create) {
    const corrections = createMemoryCorrectionStore();
    const models = createMemoryModelStore();
    return { dir, exists, corrections, models, close: async () => {} };
  }
  const corrections = await createFileCorrectionStore({ dir: join(dir, 'corrections') });
  let models: ModelStore;
  try {
    models = await createFileModelStore({ dir: join(dir, 'models') });
  } catch (error) {
    await corrections.close();
    throw error;
  }
  return {
    dir,
    exists: true,
    corrections,
    models,
    async close() {
      await Promise.all([corrections.close(), models.close()]);
    },
  };
}

/** Which weights a recogniser runs: the model store's current version, or the bundled model. */
export interface LoadedRecognizer {
  recognizer: Recognizer;
  /** The stored version's name, or `bundled <version>`. */
  model: string;
}

/**
 * A recogniser on the data directory: the model store's current version when there is one, else
 * the bundled pretrained model, with the stored corrections in effect.
 */
export async function loadRecognizer(data: DataDir, backend: BackendPreference): Promise<LoadedRecognizer> {
  const stored = await data.models.current();
  const recognizer = await createRecognizer({ store: data.corrections, modelStore: data.models, backend });
  return { recognizer, model: stored ? recognizer.modelVersion : `bundled ${recognizer.modelVersion}` };
}
