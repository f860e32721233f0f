import type { RgbaImage } from '@crazy-digits/core';
import { InvalidImageError } from '@crazy-digits/core/store-kit';
import type { Sharp, SharpOptions } from 'sharp';

/** The slice of sharp's default export this module calls. */
type SharpFactory = (input: Uint8Array, options?: SharpOptions) => Sharp;

// A variable specifier keeps bundlers from resolving (or inlining) this optional package.
const SHARP = 'sharp';
let loading: Promise<SharpFactory | undefined> | undefined;

/**
 * sharp (libvips) when it is installed, loaded once; `undefined` when it is not. It is an
 * optional peer dependency: the pure-JavaScript decoders are always there.
 */
export function loadSharp(): Promise<SharpFactory | undefined> {
  loading ??= import(/* @vite-ignore */ SHARP).then(
    (module: { default?: SharpFactory }) => module.default ?? (module as unknown as SharpFactory),
    () => undefined,
  );
  return loading;
}

/**
 * Decodes a PNG or JPEG whose header has already passed the size limits, natively: libpng or
 * libjpeg-turbo on libuv's thread pool (setting up the pipeline stays on the calling thread).
 * Every colour type becomes 8-bit sRGB plus alpha, as the JavaScript decoders return it. EXIF
 * orientation is not applied, as with them; unlike them, libvips may use an embedded ICC
 * profile to convert to sRGB (canvas exports carry none).
 */
export async function decodeWithSharp(
  sharp: SharpFactory,
  bytes: Uint8Array,
  header: { format: 'png' | 'jpeg'; width: number; height: number },
  maxPixels: number,
): Promise<RgbaImage> {
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    decoded = await sharp(bytes, {
      // The header was checked already; this is libvips' own guard against a lying header.
      limitInputPixels: maxPixels,
      // Refuse truncated or corrupt data instead of returning the part that decoded.
      failOn: 'warning',
      sequentialRead: true,
    })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.trim() : String(cause);
    throw new InvalidImageError(`${header.format.toUpperCase()} could not be decoded: ${reason}`, { cause });
  }
  const { data, info } = decoded;
  if (
    info.channels !== 4 ||
    info.width !== header.width ||
    info.height !== header.height ||
    data.length !== info.width * info.height * 4
  ) {
    throw new InvalidImageError(
      `${header.format.toUpperCase()} decoder returned pixels that do not match the header`,
    );
  }
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}
