import type * as tf from '@tensorflow/tfjs';

/** One saved version of the model's weights. */
export interface ModelVersion {
  /** Unique within the store, e.g. `'2026-11-27T19-30-05.123Z-k3f9'`. */
  version: string;
  /** When it was saved, in milliseconds since the epoch. */
  createdAt: number;
  /** The version it was trained from. */
  parent?: string;
  /** Measurements made when it was saved, e.g. `{ mnistAccuracy: 0.9961 }`. */
  metrics?: Record<string, number>;
  /** Why it exists, e.g. `'consolidated 50 corrections'`. */
  note?: string;
}

/** Details to record with a saved version. */
export type ModelVersionMeta = Pick<ModelVersion, 'parent' | 'metrics' | 'note'>;

/** A version and its weights. */
export interface StoredModel {
  info: ModelVersion;
  /** tfjs layers-model artifacts: `tf.loadLayersModel(tf.io.fromMemory(artifacts))` loads them. */
  artifacts: tf.io.ModelArtifacts;
}

/**
 * Versioned model weights: save a version (it becomes current), load the current one, list,
 * roll back. Implementations keep the newest `keep` versions and pass the shared contract suite.
 */
export interface ModelStore {
  /** False when versions will not survive a restart. */
  readonly persistent: boolean;
  /** Saves weights as a new version and makes it current; resolves once it is durable. */
  save(artifacts: tf.io.ModelArtifacts, meta?: ModelVersionMeta): Promise<ModelVersion>;
  /** The current version, or `undefined` when nothing was saved. */
  current(): Promise<ModelVersion | undefined>;
  /** The given version (the current one when omitted), or `undefined` when there is none. */
  load(version?: string): Promise<StoredModel | undefined>;
  /** Every kept version, oldest first. */
  list(): Promise<ModelVersion[]>;
  /** Makes a kept version current (roll back or forward). Throws `ModelVersionNotFoundError`. */
  setCurrent(version: string): Promise<ModelVersion>;
  /** Makes the version saved before the current one current; `undefined` if there is none. */
  rollback(): Promise<ModelVersion | undefined>;
  /** Releases the store. Later calls throw `StoreClosedError`. Safe to call twice. */
  close(): Promise<void>;
}
