import { crc32 } from 'node:zlib';
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

/** Where a scan met bytes that are not an intact frame. */
export interface FrameDamage {
  offset: number;
  bytes: number;
}

/** The size of the intact frame starting at `at` of `bytes`, if one does. */
function frameAt(bytes: Uint8Array, at: number): number | undefined {
  if (at + FRAME_HEADER_BYTES > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, FRAME_HEADER_BYTES);
  const length = view.getUint32(0, true);
  if (length === 0 || length > MAX_PAYLOAD_BYTES || at + FRAME_HEADER_BYTES + length > bytes.length)
    return undefined;
  const payload = bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
  return crc32(payload) === view.getUint32(4, true) ? FRAME_HEADER_BYTES + length : undefined;
}

/**
 * The offset of the first intact frame in `[from, end)` of `file`, if any. Reads windows of two
 * largest frames, stepping by one, so every candidate offset sees its whole frame.
 */
export async function findNextFrame(file: StoreFile, from: number, end: number): Promise<number | undefined> {
  const span = FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES;
  for (let windowStart = from; windowStart < end; windowStart += span) {
    const window = await readAt(file, windowStart, Math.min(end - windowStart, 2 * span));
    const candidates = Math.min(span, window.length);
    for (let at = 0; at < candidates; at++) if (frameAt(window, at) !== undefined) return windowStart + at;
  }
  return undefined;
}

/**
 * Reads the frames in `[start, end)` of `file` in order, calling `onRecord` with each intact one.
 * Without `onDamage` it stops at the first frame that is not intact (it may be another process's
 * append in progress). With it, a damaged frame followed by intact ones is reported and skipped,
 * and the scan goes on from the next intact frame. Returns where the intact frames end: `end`,
 * or the start of a torn final frame (one that runs past the end of the file, or a header cut
 * short). A final frame that is whole but fails its checksum is damage, not a torn tail.
 * Reads in 1 MiB chunks, so a large log never sits in memory.
 */
export async function scanFrames(
  file: StoreFile,
  start: number,
  end: number,
  onRecord: (offset: number, frameBytes: number, payload: Uint8Array) => void,
  onDamage?: (damage: FrameDamage) => void,
): Promise<number> {
  let buffer = new Uint8Array(0);
  let bufferStart = start;
  let cursor = 0;
  let nextRead = start;
  for (;;) {
    const available = buffer.length - cursor;
    let needed = FRAME_HEADER_BYTES;
    let intact = true;
    if (available >= FRAME_HEADER_BYTES) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + cursor, FRAME_HEADER_BYTES);
      const length = view.getUint32(0, true);
      if (length === 0 || length > MAX_PAYLOAD_BYTES) intact = false;
      else needed += length;
    }
    if (intact && available < needed) {
      const chunk =
        nextRead >= end
          ? new Uint8Array(0)
          : await readAt(file, nextRead, Math.min(end - nextRead, Math.max(READ_CHUNK, needed)));
      if (chunk.length > 0) {
        const joined = new Uint8Array(available + chunk.length);
        joined.set(buffer.subarray(cursor));
        joined.set(chunk, available);
        bufferStart += cursor;
        buffer = joined;
        cursor = 0;
        nextRead += chunk.length;
        continue;
      }
      if (available === 0) return bufferStart + cursor;
      // The final frame runs past the end of the file: a torn append, unless an intact frame
      // follows it (its length field is what was damaged).
      intact = false;
    }
    if (intact) {
      const payload = buffer.subarray(cursor + FRAME_HEADER_BYTES, cursor + needed);
      const checksum = new DataView(buffer.buffer, buffer.byteOffset + cursor + 4, 4).getUint32(0, true);
      if (crc32(payload) === checksum) {
        onRecord(bufferStart + cursor, needed, payload);
        cursor += needed;
        continue;
      }
    }
    const offset = bufferStart + cursor;
    if (!onDamage) return offset;
    const next = await findNextFrame(file, offset + 1, end);
    if (next === undefined) {
      const tail = await readAt(file, offset, Math.min(end - offset, FRAME_HEADER_BYTES));
      const length =
        tail.length < FRAME_HEADER_BYTES
          ? Number.POSITIVE_INFINITY
          : new DataView(tail.buffer).getUint32(0, true);
      const torn = length > MAX_PAYLOAD_BYTES || offset + FRAME_HEADER_BYTES + length > end;
      if (torn) return offset;
      onDamage({ offset, bytes: end - offset });
      return end;
    }
    onDamage({ offset, bytes: next - offset });
    buffer = new Uint8Array(0);
    bufferStart = next;
    cursor = 0;
    nextRead = next;
  }
}
