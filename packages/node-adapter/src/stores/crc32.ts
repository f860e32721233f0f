import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function tableCrc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (table[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// `zlib.crc32` arrived in Node 20.15; the package supports every Node 20, so older ones get the
// table-driven version (same polynomial, same results, about ten times slower).
const native: ((data: Uint8Array) => number) | undefined =
  'crc32' in zlib && typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/** CRC-32 (IEEE 802.3, the zlib/PNG one) of `bytes`, as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array): number {
  return native ? native(bytes) >>> 0 : tableCrc32(bytes);
}

/** The portable implementation, exported so tests can check it against `zlib.crc32`. */
export { tableCrc32 };
