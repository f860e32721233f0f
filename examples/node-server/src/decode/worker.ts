import { Piscina } from 'piscina';
import {
  type DecodeKind,
  type DecodeLimits,
  type DecodeOutcome,
  decodeDigit,
  decodePicture,
  type ImageDecodeOutcome,
} from './task.js';

/**
 * One decode in a pool thread: a digit's pixels, moved back without a copy (piscina moves only
 * a top-level value), the whole picture (`kind: 'image'`, cloned: it needs its size beside it),
 * or the library error.
 */
export default async function decodeInWorker({
  image,
  limits,
  kind = 'digit',
}: {
  image: string;
  limits: DecodeLimits;
  kind?: DecodeKind;
}): Promise<DecodeOutcome | ImageDecodeOutcome | ReturnType<typeof Piscina.move>> {
  if (kind === 'image') return decodePicture(image, limits);
  const outcome = await decodeDigit(image, limits);
  return 'pixels' in outcome ? Piscina.move(outcome.pixels) : outcome;
}
