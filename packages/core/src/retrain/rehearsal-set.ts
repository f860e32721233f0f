import { base64ToBytes } from '../encoding/base64.js';
import type { DigitDataset } from '../training/dataset.js';
import { decodeDigits } from './digit-codec.js';

/**
 * Digits embedded in source: the tokens of `digit-codec.ts`, raw-deflated (half the size again),
 * then base64; labels as a string of '0'–'9'.
 */
export interface EncodedDigits {
  count: number;
  labels: string;
  deflatedBase64: string;
}

/** Inflates with the platform's `DecompressionStream` (Node 18+, every current browser). */
async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const decodeDataset = async (encoded: EncodedDigits): Promise<DigitDataset> => ({
  images: decodeDigits(await inflate(base64ToBytes(encoded.deflatedBase64)), encoded.count),
  labels: Uint8Array.from(encoded.labels, (c) => c.charCodeAt(0) - 48),
});

let cached: Promise<{ rehearsal: DigitDataset; validation: DigitDataset }> | undefined;

/**
 * The MNIST digits that ship with the package for consolidation: 1,000 training digits to
 * rehearse (100 per class) and 2,000 held-out test digits for the validation gate. Loaded on
 * first use from a separate module, so apps that never retrain do not load them.
 */
export function bundledDigits(): Promise<{ rehearsal: DigitDataset; validation: DigitDataset }> {
  cached ??= import('./rehearsal-set.generated.js').then(async (module) => ({
    rehearsal: await decodeDataset(module.rehearsal),
    validation: await decodeDataset(module.validation),
  }));
  return cached;
}
