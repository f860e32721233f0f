import { type Correction, MNIST_PIXELS } from '@crazy-digits/core';
import { field, isObject, optionalString } from './json-fields.js';

/**
 * The records of the corrections log. A correction's payload is
 * `u8 type=1 | u8 0 | u16 metaBytes | f64 sequence | meta (UTF-8 JSON) | f32 x 784 image`, a
 * removal's `u8 type=2 | id (UTF-8)`, all little-endian.
 *
 * The image is binary because it is 3,136 of the record's ~3,300 bytes and float32 round-trips
 * exactly; the metadata is JSON because its optional fields are few and short, and JSON lets a
 * later version add one without a new layout while old records still read. The sequence number
 * orders corrections and is what `list` cursors point at; it is stored so cursors survive a
 * compaction, which changes every offset.
 */
export const CORRECTION_RECORD = 1;
export const REMOVAL_RECORD = 2;

/** First bytes of the log file: a name and a format version, so a stranger file is refused. */
export const LOG_HEADER = new TextEncoder().encode('CDCORLOG\u0001\u0000\u0000\u0000');

const HEAD_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

type Meta = Omit<Correction, 'image'>;

export function encodeCorrection(correction: Correction, sequence: number): Uint8Array {
  const { image, ...meta } = correction;
  const metaBytes = encoder.encode(JSON.stringify(meta));
  const payload = new Uint8Array(HEAD_BYTES + metaBytes.length + image.length * 4);
  const view = new DataView(payload.buffer);
  view.setUint8(0, CORRECTION_RECORD);
  view.setUint16(2, metaBytes.length, true);
  view.setFloat64(4, sequence, true);
  payload.set(metaBytes, HEAD_BYTES);
  const imageStart = HEAD_BYTES + metaBytes.length;
  for (let i = 0; i < image.length; i++) view.setFloat32(imageStart + i * 4, image[i] ?? 0, true);
  return payload;
}

export function encodeRemoval(id: string): Uint8Array {
  const idBytes = encoder.encode(id);
  const payload = new Uint8Array(1 + idBytes.length);
  payload[0] = REMOVAL_RECORD;
  payload.set(idBytes, 1);
  return payload;
}

/** What a scan needs to index a record, without decoding its image. */
export type RecordSummary =
  | { type: typeof CORRECTION_RECORD; id: string; sequence: number; userId: string | undefined }
  | { type: typeof REMOVAL_RECORD; id: string };

function metaOf(parsed: unknown): Meta {
  if (!isObject(parsed)) throw new Error('a correction record has no metadata');
  const id = field(parsed, 'id');
  const label = field(parsed, 'label');
  const createdAt = field(parsed, 'createdAt');
  if (typeof id !== 'string' || typeof label !== 'number' || typeof createdAt !== 'number')
    throw new Error('a correction record lacks its id, label or createdAt');
  const meta: Meta = {
    id,
    label,
    createdAt,
    ...optionalString(parsed, 'userId'),
    ...optionalString(parsed, 'sessionId'),
    ...optionalString(parsed, 'modelVersion'),
  };
  const predicted = field(parsed, 'predicted');
  if (isObject(predicted)) {
    const digit = field(predicted, 'digit');
    const confidence = field(predicted, 'confidence');
    if (typeof digit === 'number' && typeof confidence === 'number') meta.predicted = { digit, confidence };
  }
  return meta;
}

function readMeta(payload: Uint8Array): { meta: Meta; sequence: number; imageStart: number } {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const metaBytes = view.getUint16(2, true);
  const imageStart = HEAD_BYTES + metaBytes;
  if (payload.length !== imageStart + MNIST_PIXELS * 4)
    throw new Error('a correction record has the wrong size');
  const meta = metaOf(JSON.parse(decoder.decode(payload.subarray(HEAD_BYTES, imageStart))));
  return { meta, sequence: view.getFloat64(4, true), imageStart };
}

/** Throws on a record this version cannot read (one written by a later version). */
export function summarise(payload: Uint8Array): RecordSummary {
  const type = payload[0];
  if (type === CORRECTION_RECORD) {
    const { meta, sequence } = readMeta(payload);
    return { type, id: meta.id, sequence, userId: meta.userId };
  }
  if (type === REMOVAL_RECORD) return { type, id: decoder.decode(payload.subarray(1)) };
  throw new Error(`unknown record type ${String(type)}`);
}

export function decodeCorrection(payload: Uint8Array): Correction {
  if (payload[0] !== CORRECTION_RECORD) throw new Error('not a correction record');
  const { meta, imageStart } = readMeta(payload);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const image = new Float32Array(MNIST_PIXELS);
  for (let i = 0; i < MNIST_PIXELS; i++) image[i] = view.getFloat32(imageStart + i * 4, true);
  return { ...meta, image };
}
