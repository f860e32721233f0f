import { constants, promises as fs } from 'node:fs';
import { InvalidImageError } from '@crazy-digits/core/store-kit';
import { classifyImageString, decodeBase64, decodeDataUrl, maxBase64Chars } from './data-url.js';
import {
  EncodedImageTooLargeError,
  ImageFileError,
  InvalidDataUrlError,
  UnsupportedImageFormatError,
} from './errors.js';
import { sniffImageFormat } from './sniff.js';

/** Where the encoded bytes may come from, and how many of them to accept. */
export interface SourceLimits {
  maxBytes: number;
  allowFilePath: boolean;
}

/** Longer than any path an operating system accepts. */
const MAX_PATH_CHARS = 65_536;

/** Paths and payloads in messages are cut to this length: a mis-sent base64 blob is not a useful message. */
const QUOTE_CHARS = 80;
const quote = (text: string) => `'${text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text}'`;

/**
 * Reads a regular file of at most `maxBytes`. The file is opened non-blocking so a FIFO cannot
 * stall the open, then anything that is not a regular file (FIFO, device, directory) is refused
 * before a byte is read; reading stops one byte past the size `stat` gave, so a file that grows
 * meanwhile cannot slip past the limit.
 */
async function readImageFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    const reason = cause instanceof Error && 'code' in cause ? String(cause.code) : String(cause);
    throw new ImageFileError(
      path,
      `cannot open image file ${quote(path)} (${reason}); a string that is neither a data URL nor base64 of a PNG/JPEG is read as a file path`,
      { cause },
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ImageFileError(path, `${quote(path)} is not a regular file`);
    if (stats.size > maxBytes) throw new EncodedImageTooLargeError(stats.size, maxBytes);
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new EncodedImageTooLargeError(length, maxBytes);
    return buffer.subarray(0, length);
  } catch (cause) {
    if (cause instanceof ImageFileError || cause instanceof EncodedImageTooLargeError) throw cause;
    throw new ImageFileError(path, `cannot read image file ${quote(path)}`, { cause });
  } finally {
    await handle.close();
  }
}

/** The encoded image bytes behind any accepted input form. */
export async function readEncodedImage(
  input: Buffer | Uint8Array | string,
  limits: SourceLimits,
): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== 'string') {
    throw new InvalidImageError(
      `expected a Buffer, a Uint8Array or a string, got ${input === null ? 'null' : typeof input}`,
    );
  }
  if (input.trim() === '') throw new InvalidImageError('the image input is an empty string');
  // No path is this long, and no data URL this long fits maxBytes: refuse before scanning it.
  if (input.length > Math.max(maxBase64Chars(limits.maxBytes), MAX_PATH_CHARS)) {
    throw new EncodedImageTooLargeError(Math.floor((input.length * 3) / 4), limits.maxBytes);
  }
  const kind = classifyImageString(input);
  if (kind === 'data-url') return decodeDataUrl(input, limits.maxBytes);
  if (kind === 'base64') return decodeBase64(input.trim(), limits.maxBytes, 'base64 image');
  if (limits.allowFilePath) return readImageFile(input, limits.maxBytes);
  // Markup sent where an image was expected deserves the format error, not a base64 complaint.
  const format = sniffImageFormat(Buffer.from(input.slice(0, 1024)));
  if (format !== 'unknown') {
    throw new UnsupportedImageFormatError(
      format,
      `${format} images are not supported; only PNG and JPEG are decoded`,
    );
  }
  throw new InvalidDataUrlError(
    `${quote(input)} is neither a data URL nor base64 of a PNG/JPEG, and file paths are not allowed here`,
  );
}
