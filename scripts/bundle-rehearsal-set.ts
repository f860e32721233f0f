/**
 * Writes packages/core/src/retrain/rehearsal-set.bin (layout in rehearsal-set.ts): the MNIST digits
 * that ship with the package for consolidating corrections without forgetting.
 *
 * - `rehearsal`: 100 training digits of each class (seeded choice), rehearsed alongside the
 *   corrections so the model keeps seeing what every digit looks like.
 * - `validation`: the first 2,000 MNIST test digits, never trained on by anything here, on which
 *   the validation gate compares a candidate model with the served one. The forgetting benchmark
 *   measures on the other 8,000.
 */
import { writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { encodeDigits } from '../packages/core/src/retrain/digit-codec.js';
import { REHEARSAL_SET_HEADER_BYTES } from '../packages/core/src/retrain/rehearsal-set.js';
import { shuffledIndices } from '../packages/core/src/training/dataset.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import { loadMnist, type MnistSet } from '../packages/test-utils/src/index.js';

const OUT = 'packages/core/src/retrain/rehearsal-set.bin';
const REHEARSAL_PER_CLASS = 100;
const VALIDATION_COUNT = 2_000;

/** One digit set as the file holds it: header, then labels and tokens, deflated. */
function pick(set: MnistSet, indices: number[]): Buffer {
  const images = new Float32Array(indices.length * 784);
  indices.forEach((index, i) => {
    for (let p = 0; p < 784; p++) images[i * 784 + p] = (set.images[index * 784 + p] ?? 0) / 255;
  });
  const labels = Uint8Array.from(indices, (index) => set.labels[index] ?? 0);
  const deflated = deflateRawSync(Buffer.concat([labels, encodeDigits(images)]), { level: 9 });
  const header = Buffer.alloc(REHEARSAL_SET_HEADER_BYTES);
  header.writeUInt32LE(indices.length, 0);
  header.writeUInt32LE(deflated.length, 4);
  return Buffer.concat([header, deflated]);
}

const train = loadMnist('train');
const order = shuffledIndices(train.count, seededRandom(7));
const taken = new Array<number>(10).fill(0);
const rehearsal: number[] = [];
for (const index of order) {
  const label = train.labels[index] ?? 0;
  if ((taken[label] ?? 0) >= REHEARSAL_PER_CLASS) continue;
  taken[label] = (taken[label] ?? 0) + 1;
  rehearsal.push(index);
  if (rehearsal.length === REHEARSAL_PER_CLASS * 10) break;
}
const test = loadMnist('test', VALIDATION_COUNT);
const sets = {
  rehearsal: pick(train, rehearsal),
  validation: pick(
    test,
    Array.from({ length: test.count }, (_, i) => i),
  ),
};
const file = Buffer.concat([sets.rehearsal, sets.validation]);
await writeFile(OUT, file);
console.log(
  `wrote ${OUT}: ${rehearsal.length} rehearsal digits (${sets.rehearsal.length} bytes), ${test.count} validation digits (${sets.validation.length} bytes)`,
);
