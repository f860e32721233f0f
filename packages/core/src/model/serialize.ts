import * as tf from '@tensorflow/tfjs';
import { encodeFloat16 } from './float16.js';

/** How weights are stored: full float32, or float16 (half the bytes, ~3 significant digits). */
export type WeightPrecision = 'float32' | 'float16';

/**
 * Smaller storage for shipped weights: float16, or `'uint8'`: kernels as 8-bit codes of tfjs's
 * own affine quantisation (value = min + code × scale, one scale per tensor: a quarter of the
 * bytes), vectors (biases, batch-norm statistics: a few kilobytes) as float16, since one scale
 * over a variance vector would lose its small entries. tfjs dequantises both when it loads them.
 */
export type WeightStorage = 'float16' | 'uint8';

/** One tensor's values as uint8 codes, with the `quantization` spec tfjs dequantises them by. */
function quantiseUint8(values: Float32Array): { codes: Uint8Array<ArrayBuffer>; scale: number; min: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  // tfjs reads `scale` and `min` back as float32: round them so the codes are chosen against the
  // very values that decode them.
  const scale = Math.fround(max > min ? (max - min) / 255 : 1);
  min = Math.fround(min);
  const codes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    codes[i] = Math.min(255, Math.max(0, Math.round(((values[i] ?? 0) - min) / scale)));
  }
  return { codes, scale, min };
}

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
      // Nothing reads the sizes, and measuring the topology's JSON took a third of exporting
      // the shipped model on a page (about 10 ms of one task).
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.weightSpecs || !captured.weightData)
    throw new Error(`could not capture the weights of ${model.name}`);
  return precision === 'float32' ? captured : storedAs(captured, precision);
}

/** `artifacts` (float32 weights) with their weights stored as `storage`. */
export function storedAs(artifacts: tf.io.ModelArtifacts, storage: WeightStorage): tf.io.ModelArtifacts {
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new Error('the artifacts have no weights');
  const buffer = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const parts: ArrayBuffer[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32' || spec.quantization)
      throw new Error(`weight ${spec.name} is not plain float32; only those can be stored smaller`);
    const values = new Float32Array(buffer, offset, size);
    offset += size * 4;
    if (storage === 'uint8' && spec.shape.length > 1) {
      const { codes, scale, min } = quantiseUint8(values);
      parts.push(codes.buffer);
      weightSpecs.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
    } else {
      parts.push(encodeFloat16(values).buffer);
      weightSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
    }
  }
  return { ...artifacts, weightSpecs, weightData: tf.io.concatenateArrayBuffers(parts) };
}

/** Builds a model from artifacts made by {@link exportModel} (or any tfjs layers-model artifacts). */
export function importModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** A new model with the topology of `artifacts` and freshly initialised weights (its initialisers' seeds). */
export function freshModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology }));
}
