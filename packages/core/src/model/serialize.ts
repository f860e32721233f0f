import * as tf from '@tensorflow/tfjs';
import { encodeFloat16 } from './float16.js';

/** How weights are stored: full float32, or float16 (half the bytes, ~3 significant digits). */
export type WeightPrecision = 'float32' | 'float16';

/**
 * Captures a model's topology and weights as in-memory artifacts (tfjs's own format, readable by
 * `tf.loadLayersModel(tf.io.fromMemory(...))`), optionally with float16 weights.
 */
export async function exportModel(
  model: tf.LayersModel,
  precision: WeightPrecision = 'float32',
): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured?.weightSpecs || !captured.weightData)
    throw new Error(`could not capture the weights of ${model.name}`);
  if (precision === 'float32') return captured;

  const buffer = tf.io.CompositeArrayBuffer.join(captured.weightData);
  const parts: Uint16Array<ArrayBuffer>[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of captured.weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32')
      throw new Error(`weight ${spec.name} is ${spec.dtype}; only float32 weights can be halved`);
    parts.push(encodeFloat16(new Float32Array(buffer, offset, size)));
    offset += size * 4;
    weightSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
  }
  return { ...captured, weightSpecs, weightData: tf.io.concatenateArrayBuffers(parts.map((p) => p.buffer)) };
}

/** Builds a model from artifacts made by {@link exportModel} (or any tfjs layers-model artifacts). */
export function importModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** A new model with the topology of `artifacts` and freshly initialised weights (its initialisers' seeds). */
export function freshModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology }));
}
