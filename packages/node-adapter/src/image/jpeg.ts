import type { RgbaImage } from '@crazy-digits/core';
import { InvalidImageError } from '@crazy-digits/core/store-kit';
import { decode } from 'jpeg-js';
import { UnsupportedImageFormatError } from './errors.js';
import type { JpegHeader } from './header.js';

/** Baseline, extended sequential and progressive Huffman-coded frames: what jpeg-js decodes. */
const DECODABLE_FRAMES = new Set([0xc0, 0xc1, 0xc2]);

/**
 * jpeg-js's own memory ceiling, from the pixel limit: at most 4 components of 4-byte coefficients,
 * 1-byte component planes and the RGBA output come to under 32 bytes a pixel; the slack covers
 * padding to whole MCUs and the tables.
 */
const memoryBudgetInMB = (maxPixels: number) => Math.ceil((maxPixels * 32) / 2 ** 20) + 16;

/**
 * Refuses the frame types jpeg-js cannot decode, whichever decoder runs, so that what is accepted
 * does not depend on whether sharp is installed.
 */
export function checkJpegFrame(header: JpegHeader): void {
  if (!DECODABLE_FRAMES.has(header.frameType)) {
    throw new UnsupportedImageFormatError(
      'jpeg',
      `JPEG frame type SOF${header.frameType - 0xc0} (lossless, hierarchical or arithmetic-coded) is not supported`,
    );
  }
}

/** Decodes a JPEG whose header has already passed the size limits. */
export function decodeJpeg(bytes: Uint8Array, header: JpegHeader, maxPixels: number): RgbaImage {
  checkJpegFrame(header);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      // Tolerant mode skips blocks a scan places outside the frame and returns whatever it got;
      // an inconsistent file is refused instead.
      tolerantDecoding: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: memoryBudgetInMB(maxPixels),
    });
  } catch (cause) {
    throw new InvalidImageError(
      `JPEG could not be decoded: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const { width, height, data } = decoded;
  if (width !== header.width || height !== header.height || data.length !== width * height * 4) {
    throw new InvalidImageError('JPEG decoder returned pixels that do not match the frame header');
  }
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width, height };
}
