import { InvalidImageError } from '@crazy-digits/core/store-kit';
import { PNG_SIGNATURE } from './sniff.js';

/** What a PNG's IHDR chunk declares. */
export interface PngHeader {
  format: 'png';
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

/** What a JPEG's frame header (SOFn) declares. */
export interface JpegHeader {
  format: 'jpeg';
  width: number;
  height: number;
  /** The SOF marker's low byte: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, others unsupported. */
  frameType: number;
  components: number;
}

/** Bit depths the PNG specification allows for each colour type. */
const PNG_BIT_DEPTHS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);

/** Samples per pixel for each PNG colour type. */
export const PNG_CHANNELS: ReadonlyMap<number, number> = new Map([
  [0, 1],
  [2, 3],
  [3, 1],
  [4, 2],
  [6, 4],
]);

const PNG_MAX_DIMENSION = 2 ** 31 - 1;

const u16 = (bytes: Uint8Array, at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
const u32 = (bytes: Uint8Array, at: number) => u16(bytes, at) * 0x10000 + u16(bytes, at + 2);

/**
 * Reads a PNG's dimensions and pixel format from its IHDR chunk, which the specification puts
 * first, so a size limit can be enforced before the decoder allocates anything.
 */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  const ihdrEnd = PNG_SIGNATURE.length + 8 + 13;
  if (bytes.length < ihdrEnd) {
    throw new InvalidImageError(`PNG is truncated: ${bytes.length} bytes, too short for its header`);
  }
  const chunkType = String.fromCharCode(...bytes.subarray(12, 16));
  if (u32(bytes, 8) !== 13 || chunkType !== 'IHDR') {
    throw new InvalidImageError('PNG does not start with a valid IHDR chunk');
  }
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24] ?? 0;
  const colorType = bytes[25] ?? 0;
  const [compression, filter, interlace] = [bytes[26], bytes[27], bytes[28]];
  if (width === 0 || height === 0 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
    throw new InvalidImageError(`PNG declares impossible dimensions ${width}x${height}`);
  }
  if (!PNG_BIT_DEPTHS.get(colorType)?.includes(bitDepth)) {
    throw new InvalidImageError(
      `PNG declares colour type ${colorType} with bit depth ${bitDepth}, which is invalid`,
    );
  }
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
    throw new InvalidImageError('PNG declares an unknown compression, filter or interlace method');
  }
  return { format: 'png', width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

/** SOFn markers; 0xc4 (DHT), 0xc8 (JPG) and 0xcc (DAC) share the range but are not frames. */
const isFrameMarker = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Markers that stand alone, with no length field: TEM, RSTn, SOI. */
const isStandaloneMarker = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);

/**
 * Reads a JPEG's dimensions from its first frame header by walking the marker segments (skipping
 * APPn, so an EXIF thumbnail's frame is not mistaken for the image's), without touching the
 * entropy-coded data.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) {
      throw new InvalidImageError(`JPEG has no marker where one must be, at byte ${offset}`);
    }
    while (bytes[offset] === 0xff) offset++; // fill bytes may pad any marker
    const marker = bytes[offset];
    offset++;
    if (marker === undefined) break;
    if (isStandaloneMarker(marker)) continue;
    if (marker === 0xd9 || marker === 0xda) {
      throw new InvalidImageError('JPEG has no frame header before its image data');
    }
    if (offset + 2 > bytes.length) break;
    const length = u16(bytes, offset);
    if (length < 2)
      throw new InvalidImageError(`JPEG segment at byte ${offset} has invalid length ${length}`);
    if (isFrameMarker(marker)) {
      if (length < 8 || offset + 8 > bytes.length) break;
      const height = u16(bytes, offset + 3);
      const width = u16(bytes, offset + 5);
      const components = bytes[offset + 7] ?? 0;
      if (width === 0 || height === 0) {
        // Height 0 defers it to a DNL marker after the first scan, which jpeg-js does not read.
        throw new InvalidImageError(`JPEG frame declares dimensions ${width}x${height}`);
      }
      return { format: 'jpeg', width, height, frameType: marker, components };
    }
    offset += length;
  }
  throw new InvalidImageError('JPEG is truncated before its frame header');
}
