import { crc32 } from './crc32.js';
import { readAt, type StoreFile } from './fs.js';

/**
 * Framing of an append-only log: `u32 length | u32 crc32(payload) | payload`, little-endian.
 * The length says where the next record starts; the checksum tells a complete record from a
 * torn or damaged one, so a scan can stop at the first record that is not whole.
 */
export const FRAME_HEADER_BYTES = 8;

/** Larger lengths can only be damage; refusing them keeps a bad length from being trusted. */
export const MAX_PAYLOAD_BYTES = 1 << 20;

/** `payload` framed for the log. */
export function frame(payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  bytes.set(payload, FRAME_HEADER_BYTES);
  return bytes;
}

/** The payload of a whole frame, or `undefined` if the bytes are not one intact frame. */
export function unframe(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < FRAME_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (length !== bytes.length - FRAME_HEADER_BYTES) return undefined;
  const payload = bytes.subarray(FRAME_HEADER_BYTES);
  return crc32(payload) === view.getUint32(4, true) ? payload : undefined;
}

const READ_CHUNK = 1 << 20;

/**
 * Reads the frames in `[start, end)` of `file` in order, calling `onRecord` with each intact one,
 * and returns where the intact prefix ends: `end` for a clean log, less when the tail is torn or
 * damaged. Reads in 1 MiB chunks, so a large log never sits in memory.
 */
export async function scanFrames(
  file: StoreFile,
  start: number,
  end: number,
  onRecord: (offset: number, frameBytes: number, payload: Uint8Array) => void,
): Promise<number> {
  let buffer = new Uint8Array(0);
  let bufferStart = start;
  let cursor = 0;
  let nextRead = start;
  for (;;) {
    const available = buffer.length - cursor;
    let needed = FRAME_HEADER_BYTES;
    let length = 0;
    if (available >= FRAME_HEADER_BYTES) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + cursor, FRAME_HEADER_BYTES);
      length = view.getUint32(0, true);
      if (length === 0 || length > MAX_PAYLOAD_BYTES) break;
      needed += length;
    }
    if (available < needed) {
      if (nextRead >= end) break;
      const chunk = await readAt(file, nextRead, Math.min(end - nextRead, Math.max(READ_CHUNK, needed)));
      if (chunk.length === 0) break;
      const joined = new Uint8Array(available + chunk.length);
      joined.set(buffer.subarray(cursor));
      joined.set(chunk, available);
      bufferStart += cursor;
      buffer = joined;
      cursor = 0;
      nextRead += chunk.length;
      continue;
    }
    const payload = buffer.subarray(cursor + FRAME_HEADER_BYTES, cursor + needed);
    const checksum = new DataView(buffer.buffer, buffer.byteOffset + cursor + 4, 4).getUint32(0, true);
    if (crc32(payload) !== checksum) break;
    onRecord(bufferStart + cursor, needed, payload);
    cursor += needed;
  }
  return bufferStart + cursor;
}
