/**
 * `npm run figure:preprocessing` — draws docs/images/preprocessing.png: canvas drawings as they
 * arrive (top row: small, off-centre, thick, thin, rotated, ink on transparent) above the 28x28
 * image `preprocess` makes of each (bottom row, enlarged), which is what the model sees.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { preprocess, toImageData } from '../packages/core/src/index.js';
import {
  type CanvasDrawingOptions,
  drawDigitOnCanvas,
  loadMnist,
  mnistDigit,
} from '../packages/test-utils/src/index.js';

const CELL = 168; // 280 px canvases shown at 60%, 28 px results at 6x
const GAP = 8;
const cases: Array<[number, CanvasDrawingOptions]> = [
  [0, { size: 0.35, centre: { x: 0.25, y: 0.3 } }],
  [1, { size: 0.8, level: 0.2 }],
  [2, { size: 0.6, centre: { x: 0.65, y: 0.6 }, level: 0.65 }],
  [3, { size: 0.7, rotation: 0.25 }],
  [4, { size: 0.5, centre: { x: 0.7, y: 0.35 }, background: 'transparent', inkColour: [30, 90, 220] }],
  [7, { size: 0.9, level: 0.3, background: 'transparent', inkColour: [0, 0, 0] }],
];
const test = loadMnist('test', 10);
const png = new PNG({ width: cases.length * (CELL + GAP) + GAP, height: 2 * CELL + 3 * GAP });
png.data.fill(255);

function paste(rgba: Uint8ClampedArray, width: number, left: number, top: number, scale: number): void {
  for (let y = 0; y < CELL; y++) {
    for (let x = 0; x < CELL; x++) {
      const at = (Math.floor(y / scale) * width + Math.floor(x / scale)) * 4;
      const alpha = (rgba[at + 3] ?? 255) / 255;
      // Transparent canvases are shown over a checkerboard, as image editors do.
      const backdrop = (Math.floor(x / 12) + Math.floor(y / 12)) % 2 ? 235 : 205;
      const to = ((top + y) * png.width + left + x) * 4;
      for (let c = 0; c < 3; c++)
        png.data[to + c] = Math.round((rgba[at + c] ?? 0) * alpha + backdrop * (1 - alpha));
      png.data[to + 3] = 255;
    }
  }
}

cases.forEach(([index, options], column) => {
  const canvas = drawDigitOnCanvas(mnistDigit(test, index), options);
  const left = GAP + column * (CELL + GAP);
  paste(canvas.data, canvas.width, left, GAP, CELL / canvas.width);
  const result = toImageData(preprocess(canvas), 6);
  paste(result.data, result.width, left, CELL + 2 * GAP, 1);
});

writeFileSync('docs/images/preprocessing.png', PNG.sync.write(png));
console.log('wrote docs/images/preprocessing.png');
