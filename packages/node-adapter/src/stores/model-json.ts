import { crc32 } from 'node:zlib';
import type { ModelVersion } from '@crazy-digits/core';
import type * as tf from '@tensorflow/tfjs';
import { field, isObject, optionalString } from './json-fields.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const CHECKSUM_KEY = 'crazyDigitsChecksum';
const VERSION_FORMAT = 1;

/** One version as found on disk: its details, and what is needed to check and load its weights. */
export interface VersionOnDisk {
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
export function encodeModelJson(
  version: Omit<VersionOnDisk, 'weightBytes' | 'weightCrc32'>,
  weights: ArrayBuffer,
) {
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

export function decodeModelJson(bytes: Uint8Array): VersionOnDisk {
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
  const metrics = field(info, 'metrics');
  return {
    sequence,
    weightBytes,
    weightCrc32,
    info: {
      version,
      createdAt,
      ...optionalString(info, 'parent'),
      ...(isObject(metrics) ? { metrics: numbersIn(metrics) } : {}),
      ...optionalString(info, 'note'),
    },
    artifacts: {
      modelTopology,
      weightSpecs: specs.map(weightSpecOf),
      ...optionalString(parsed, 'format'),
      ...optionalString(parsed, 'generatedBy'),
      ...optionalString(parsed, 'convertedBy'),
    },
  };
}
