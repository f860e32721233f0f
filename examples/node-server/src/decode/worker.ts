import { Piscina } from 'piscina';
import { type DecodeLimits, type DecodeOutcome, decodeDigit } from './task.js';

/**
 * One decode in a pool thread: the digit's pixels, moved back without a copy (piscina moves only
 * a top-level value), or the library error.
 */
export default async function decodeInWorker({
  image,
  limits,
}: {
  image: string;
  limits: DecodeLimits;
}): Promise<DecodeOutcome | ReturnType<typeof Piscina.move>> {
  const outcome = await decodeDigit(image, limits);
  return 'pixels' in outcome ? Piscina.move(outcome.pixels) : outcome;
}
