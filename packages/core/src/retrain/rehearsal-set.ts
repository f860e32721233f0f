import { readAsset } from '../assets/read-asset.js';
import type { DigitDataset } from '../training/dataset.js';
import { DigitCodecError, decodeDigits } from './digit-codec.js';

/**
 * The layout of `rehearsal-set.bin`: the rehearsal digits, then the validation digits, each as
 * a little-endian uint32 count of digits and uint32 length in bytes, then that many bytes of
 * raw deflate (half the size again) of one label byte (0–9) per digit followed by the digits in
 * the tokens of `digit-codec.ts`.
 */
export const REHEARSAL_SET_HEADER_BYTES = 8;

/** Inflates with the platform's `DecompressionStream` (Node 18+, every current browser). */
async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The digit sets of a `rehearsal-set.bin` file, in order. */
export async function decodeDigitSets(file: ArrayBuffer): Promise<DigitDataset[]> {
  const view = new DataView(file);
  const sets: DigitDataset[] = [];
  for (let at = 0; at < file.byteLength; ) {
    if (at + REHEARSAL_SET_HEADER_BYTES > file.byteLength)
      throw new DigitCodecError('truncated digit set header');
    const count = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    at += REHEARSAL_SET_HEADER_BYTES;
    if (at + length > file.byteLength) throw new DigitCodecError('truncated digit set');
    const bytes = await inflate(new Uint8Array(file, at, length));
    at += length;
    sets.push({ labels: bytes.slice(0, count), images: decodeDigits(bytes.subarray(count), count) });
  }
  return sets;
}

let cached: Promise<{ rehearsal: DigitDataset; validation: DigitDataset }> | undefined;

/**
 * The MNIST digits that ship with the package for consolidation: 1,000 training digits to
 * rehearse (100 per class) and 2,000 held-out test digits for the validation gate. Read on first
 * use from `rehearsal-set.bin` (fetched beside the app's scripts in a page), so apps that never
 * correct nor retrain never download them. A failed load is not remembered: the next use tries again.
 */
export function bundledDigits(): Promise<{ rehearsal: DigitDataset; validation: DigitDataset }> {
  if (cached) return cached;
  const loading = readAsset(new URL('./rehearsal-set.bin', import.meta.url))
    .then(decodeDigitSets)
    .then(([rehearsal, validation, ...rest]) => {
      if (!rehearsal || !validation || rest.length > 0) {
        throw new DigitCodecError('rehearsal-set.bin holds other than two digit sets');
      }
      return { rehearsal, validation };
    });
  cached = loading;
  loading.catch(() => {
    if (cached === loading) cached = undefined;
  });
  return loading;
}
