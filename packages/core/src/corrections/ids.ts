const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A new correction id: the time in base 36 (so ids sort roughly by creation) and 64 random bits.
 * `crypto.getRandomValues` exists in Node and in every browser context, secure or not (unlike
 * `crypto.randomUUID`).
 */
export function createCorrectionId(now = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(13));
  let suffix = '';
  for (const byte of random) suffix += ALPHABET[byte % 36];
  return `${now.toString(36).padStart(9, '0')}-${suffix}`;
}

/** True for an id a store will accept: 1–128 characters of letters, digits, `-` and `_`. */
export const isValidCorrectionId = (id: unknown): id is string =>
  typeof id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(id);
