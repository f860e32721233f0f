import * as tf from '@tensorflow/tfjs';
import { createCorrectionId } from '../corrections/ids.js';
import { InvalidModelArtifactsError } from './errors.js';
import type { ModelVersion, ModelVersionMeta } from './types.js';

/** Artifacts checked by {@link prepareArtifacts}: the weights joined into one buffer of their own. */
export type PreparedArtifacts = tf.io.ModelArtifacts & { weightData: ArrayBuffer };

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Checks artifacts before a store writes anything, and returns a copy with the weights joined
 * into one buffer that the caller can no longer mutate.
 */
export function prepareArtifacts(artifacts: tf.io.ModelArtifacts): PreparedArtifacts {
  if (typeof artifacts !== 'object' || artifacts === null)
    throw new InvalidModelArtifactsError('artifacts must be an object');
  const { modelTopology, weightSpecs, weightData } = artifacts;
  if (!modelTopology || typeof modelTopology !== 'object' || modelTopology instanceof ArrayBuffer) {
    throw new InvalidModelArtifactsError('artifacts need a JSON modelTopology');
  }
  if (!Array.isArray(weightSpecs) || weightData === undefined)
    throw new InvalidModelArtifactsError('artifacts need weightSpecs and weightData');
  const data = tf.io.CompositeArrayBuffer.join(weightData).slice(0);
  const expected = weightSpecs.reduce((bytes, spec) => {
    const elements = spec.shape.reduce((a, b) => a * b, 1);
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    return bytes + elements * (BYTES_PER_DTYPE[dtype] ?? Number.NaN);
  }, 0);
  if (expected !== data.byteLength) {
    throw new InvalidModelArtifactsError(
      `the weight specs describe ${expected} bytes but weightData has ${data.byteLength}`,
    );
  }
  return {
    modelTopology: structuredClone(modelTopology),
    weightSpecs: structuredClone(weightSpecs),
    weightData: data,
    format: artifacts.format ?? 'layers-model',
    ...(artifacts.generatedBy ? { generatedBy: artifacts.generatedBy } : {}),
    ...(artifacts.convertedBy ? { convertedBy: artifacts.convertedBy } : {}),
  };
}

/** A new version record: a sortable, readable, unique name and the given details. */
export function newVersion(meta: ModelVersionMeta = {}, now = Date.now()): ModelVersion {
  const stamp = new Date(now).toISOString().replace(/:/g, '-');
  return {
    version: `${stamp}-${createCorrectionId(now).slice(-6)}`,
    createdAt: now,
    ...(meta.parent !== undefined ? { parent: meta.parent } : {}),
    ...(meta.metrics !== undefined ? { metrics: { ...meta.metrics } } : {}),
    ...(meta.note !== undefined ? { note: meta.note } : {}),
  };
}

/**
 * What every store does first in `save`: checks the artifacts (throws
 * `InvalidModelArtifactsError`, has no side effects) and makes the new version's record.
 */
export function prepareVersion(
  artifacts: tf.io.ModelArtifacts,
  meta?: ModelVersionMeta,
  now = Date.now(),
): { info: ModelVersion; artifacts: PreparedArtifacts } {
  const prepared = prepareArtifacts(artifacts);
  return { info: newVersion(meta, now), artifacts: prepared };
}
