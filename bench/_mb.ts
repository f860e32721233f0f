import { PNG } from 'pngjs';
import sharp from 'sharp';
import { preprocess } from '../packages/core/src/index.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import { drawDigitOnCanvas, loadMnist, mnistDigit } from '../packages/test-utils/src/index.js';
import { canvasBenchmarkOptions } from '../packages/test-utils/src/index.js';
const test = loadMnist('test', 200);
const random = seededRandom(11);
const pngs = Array.from({ length: 200 }, (_, i) => {
  const canvas = drawDigitOnCanvas(mnistDigit(test, i), canvasBenchmarkOptions(random));
  const png = new PNG({ width: canvas.width, height: canvas.height });
  png.data = Buffer.from(canvas.data.buffer, canvas.data.byteOffset, canvas.data.byteLength);
  return PNG.sync.write(png);
});
console.log('png bytes avg', pngs.reduce((a, b) => a + b.length, 0) / pngs.length);
sharp.concurrency(1);
for (let round = 0; round < 2; round++) {
  let t = performance.now();
  const imgs = pngs.map((p) => PNG.sync.read(p));
  console.log('pngjs ms/img', (performance.now() - t) / pngs.length);
  t = performance.now();
  for (const p of pngs) await sharp(p).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  console.log('sharp serial ms/img', (performance.now() - t) / pngs.length);
  t = performance.now();
  await Promise.all(pngs.map((p) => sharp(p).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  console.log('sharp parallel ms/img', (performance.now() - t) / pngs.length);
  t = performance.now();
  for (const im of imgs) preprocess({ data: new Uint8ClampedArray(im.data.buffer, im.data.byteOffset, im.data.length), width: im.width, height: im.height });
  console.log('preprocess ms/img', (performance.now() - t) / pngs.length);
}
