import { inflateSync } from 'node:zlib';
import type { RgbaImage } from '@crazy-digits/core';
import { InvalidImageError } from '@crazy-digits/core/store-kit';
import { PNG } from 'pngjs';
import { PNG_CHANNELS, type PngHeader } from './header.js';
import { PNG_SIGNATURE } from './sniff.js';

/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Exact size of the decompressed image data the header implies: filter byte plus packed samples, per row. */
export function inflatedSize(header: PngHeader): number {
  const bitsPerPixel = (PNG_CHANNELS.get(header.colorType) ?? 4) * header.bitDepth;
  const rowBytes = (width: number) => 1 + Math.ceil((width * bitsPerPixel) / 8);
  if (!header.interlaced) return header.height * rowBytes(header.width);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const passWidth = Math.ceil((header.width - x0) / dx);
    const passHeight = Math.ceil((header.height - y0) / dy);
    if (passWidth > 0 && passHeight > 0) total += passHeight * rowBytes(passWidth);
  }
  return total;
}

/** The concatenated IDAT payloads, read by walking the chunk list. */
function imageData(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) break;
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') return Buffer.concat(parts);
    offset = end;
  }
  throw new InvalidImageError('PNG is truncated: it ends before its IEND chunk');
}

/**
 * Inflates the image data once with a ceiling at the size the header implies. pngjs caps its own
 * inflate for plain PNGs but not for interlaced ones, where a few MB of zeros could inflate to
 * gigabytes; and it pads a short stream with zeros, which would return made-up pixels.
 */
export function checkImageDataSize(bytes: Uint8Array, header: PngHeader): void {
  const expected = inflatedSize(header);
  let inflated: Buffer;
  try {
    inflated = inflateSync(imageData(bytes), { maxOutputLength: expected });
  } catch (cause) {
    if (cause instanceof InvalidImageError) throw cause;
    throw new InvalidImageError(`PNG image data cannot be decompressed: ${describe(cause)}`, { cause });
  }
  if (inflated.length !== expected) {
    throw new InvalidImageError(`PNG image data is ${inflated.length} bytes; its header implies ${expected}`);
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Decodes a PNG whose header has already passed the size limits. pngjs turns every colour type
 * and bit depth (palette, gray, gray + alpha, 16-bit, interlaced) into 8-bit RGBA.
 */
export function decodePng(bytes: Uint8Array, header: PngHeader): RgbaImage {
  checkImageDataSize(bytes, header);
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    throw new InvalidImageError(`PNG could not be decoded: ${describe(cause)}`, { cause });
  }
  const { width, height, data } = png;
  if (width !== header.width || height !== header.height || data.length !== width * height * 4) {
    throw new InvalidImageError('PNG decoder returned pixels that do not match the header');
  }
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width, height };
}
