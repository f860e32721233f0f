import { EncodedImageTooLargeError, InvalidDataUrlError, UnsupportedImageFormatError } from './errors.js';

/** How `decodeImage` reads a string: see {@link classifyImageString}. */
export type ImageStringKind = 'data-url' | 'base64' | 'path';

/** Base64 of the PNG signature and of JPEG's FF D8 FF: how a bare base64 image must start. */
const BASE64_IMAGE_PREFIXES = ['iVBORw0KGgo', '/9j/'];
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]*$/;
const BASE64_STRICT = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /\s+/g;
/** Real headers are `data:image/jpeg;base64` or a little more; longer ones are not worth echoing in messages. */
const MAX_HEADER_CHARS = 256;
const MEDIA_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg']);

/**
 * The rule, decided from the string alone (no filesystem probe, so a client-supplied string
 * never makes the server look at its disk unless it is meant to be a path):
 * 1. after trimming whitespace, it starts with `data:` (any case): a data URL;
 * 2. it starts with `iVBORw0KGgo` or `/9j/` (the base64 of the PNG and JPEG signatures) and
 *    holds only base64 characters, `=` and whitespace: bare base64;
 * 3. anything else: a file path.
 */
export function classifyImageString(input: string): ImageStringKind {
  const trimmed = input.trim();
  if (trimmed.slice(0, 5).toLowerCase() === 'data:') return 'data-url';
  if (BASE64_IMAGE_PREFIXES.some((prefix) => trimmed.startsWith(prefix)) && BASE64_TEXT.test(trimmed)) {
    return 'base64';
  }
  return 'path';
}

/** Most base64 characters (whitespace included) worth scanning for a payload of at most `maxBytes`. */
export function maxBase64Chars(maxBytes: number): number {
  // Twice the exact figure leaves room for line breaks (MIME wraps at 76) and odd padding.
  return 2 * 4 * Math.ceil(maxBytes / 3) + 64;
}

/** Bytes a base64 string of `length` characters (no whitespace) decodes to, ignoring padding. */
const decodedLength = (length: number) => Math.floor((length * 3) / 4);

/**
 * Decodes standard base64 (whitespace allowed, padding optional), refusing anything else rather
 * than letting `Buffer.from` skip the bad characters silently.
 */
export function decodeBase64(text: string, maxBytes: number, what: string): Uint8Array {
  if (text.length > maxBase64Chars(maxBytes)) {
    throw new EncodedImageTooLargeError(decodedLength(text.length), maxBytes);
  }
  const clean = text.replace(WHITESPACE, '');
  if (
    !BASE64_STRICT.test(clean) ||
    clean.length % 4 === 1 ||
    (clean.includes('=') && clean.length % 4 !== 0)
  ) {
    throw new InvalidDataUrlError(`${what} is not valid base64`);
  }
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const size = decodedLength(clean.length - padding);
  if (size > maxBytes) throw new EncodedImageTooLargeError(size, maxBytes);
  const buffer = Buffer.from(clean, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/**
 * Reads `data:image/png;base64,…` or `data:image/jpeg;base64,…`. The media type must name PNG
 * or JPEG, but the bytes' own signature picks the decoder, so a mislabelled PNG still decodes.
 */
export function decodeDataUrl(url: string, maxBytes: number): Uint8Array {
  const trimmed = url.trim();
  const comma = trimmed.indexOf(',');
  if (comma < 0) throw new InvalidDataUrlError('data URL has no comma between its header and its data');
  if (comma > MAX_HEADER_CHARS) throw new InvalidDataUrlError('data URL header is too long');
  const [mediaType = '', ...parameters] = trimmed
    .slice(5, comma)
    .split(';')
    .map((part) => part.trim().toLowerCase());
  if (parameters.at(-1) !== 'base64') {
    throw new InvalidDataUrlError('data URL is not base64-encoded (expected ";base64," before the data)');
  }
  if (!MEDIA_TYPES.has(mediaType)) {
    throw new UnsupportedImageFormatError(
      mediaType || 'text/plain',
      `data URL media type '${mediaType}' is not supported; use image/png or image/jpeg`,
    );
  }
  const payload = trimmed.slice(comma + 1);
  if (payload.trim() === '') throw new InvalidDataUrlError('data URL has no data after its comma');
  return decodeBase64(payload, maxBytes, 'data URL payload');
}
