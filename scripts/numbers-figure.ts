/**
 * `npm run figure:numbers` — draws docs/images/numbers.png: how `readNumber` splits a drawn
 * number. Top: MNIST test digits drawn as one number whose neighbours touch. Middle: the ink's
 * connected shapes, each wide one cut along cheapest paths into pieces (one colour a piece).
 * Bottom: the split the network reads most confidently, a box a digit.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { createRecognizer } from '../packages/core/src/index.js';
import { atomsOf, segment } from '../packages/core/src/numbers/segment.js';
import type { InkMap } from '../packages/core/src/preprocess/ink.js';
import { readInk } from '../packages/core/src/preprocess/validate.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import { drawMnistNumber, loadMnist, mnistDigit } from '../packages/test-utils/src/index.js';

const SCALE = 0.6;
const GAP = 8;
const COLOURS: Array<[number, number, number]> = [
  [230, 25, 75],
  [60, 140, 75],
  [0, 110, 200],
  [245, 130, 48],
  [145, 30, 180],
  [0, 160, 160],
  [200, 40, 190],
  [120, 120, 0],
];

const test = loadMnist('test', 40);
const picks = [3, 11, 18, 25];
const drawn = drawMnistNumber(
  picks.map((i) => mnistDigit(test, i)),
  {
    spacing: 'touching',
    background: 'dark-on-white',
    random: seededRandom(4),
    labels: picks.map((i) => test.labels[i] ?? 0),
  },
);
const { image } = drawn;
const map = readInk(image, 4096) as InkMap;
const segmentation = segment(map);
if (!segmentation) throw new Error('the drawing has no ink');
const atoms = atomsOf(segmentation, new Set(segmentation.shapes.keys()));
const recognizer = await createRecognizer();
const reading = await recognizer.readNumber(image);
recognizer.dispose();

const width = Math.round(image.width * SCALE);
const height = Math.round(image.height * SCALE);
const png = new PNG({ width: width + 2 * GAP, height: 3 * height + 4 * GAP });
png.data.fill(255);

/** Copies an RGBA canvas into row `row` of the figure, scaled down by nearest pixel. */
function paste(rgba: Uint8ClampedArray | Uint8Array, row: number): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (Math.floor(y / SCALE) * image.width + Math.floor(x / SCALE)) * 4;
      const to = ((GAP + row * (height + GAP) + y) * png.width + GAP + x) * 4;
      for (let c = 0; c < 4; c++) png.data[to + c] = rgba[from + c] ?? 255;
    }
  }
}

function frame(
  row: number,
  box: { x: number; y: number; width: number; height: number },
  colour: [number, number, number],
) {
  const left = GAP + Math.round(box.x * SCALE);
  const top = GAP + row * (height + GAP) + Math.round(box.y * SCALE);
  const right = left + Math.round(box.width * SCALE);
  const bottom = top + Math.round(box.height * SCALE);
  const set = (x: number, y: number) => {
    const at = (y * png.width + x) * 4;
    png.data.set([...colour, 255], at);
  };
  for (let x = left; x <= right; x++) for (const y of [top, top + 1, bottom - 1, bottom]) set(x, y);
  for (let y = top; y <= bottom; y++) for (const x of [left, left + 1, right - 1, right]) set(x, y);
}

paste(image.data, 0);
const pieces = new Uint8ClampedArray(image.data.length).fill(255);
atoms.forEach((atom, i) => {
  const colour = COLOURS[i % COLOURS.length] ?? [0, 0, 0];
  for (const p of atom.pixels) pieces.set([...colour, 255], p * 4);
});
paste(pieces, 1);
paste(image.data, 2);
reading.digits.forEach((digit, i) => {
  frame(2, digit.box, COLOURS[(2 * i) % COLOURS.length] ?? [0, 0, 0]);
});

writeFileSync('docs/images/numbers.png', PNG.sync.write(png));
console.log(
  `wrote docs/images/numbers.png: "${drawn.text}" drawn, read "${reading.text}" from ${atoms.length} pieces`,
);
