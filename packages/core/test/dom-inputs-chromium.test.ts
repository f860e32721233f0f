import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  chromiumPath,
  loadMnist,
  mnistDigit,
  noChromiumReason,
  openBrowserPage,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What each DOM input kind gave, next to the ImageData it was made from. */
interface KindResult {
  kind: string;
  digits: number[];
  /** Largest difference of any probability from the ImageData's, over the digits. */
  largestDifference: number;
}

/** What the page reports. */
interface PageReport {
  backend: string;
  fromImageData: number[];
  kinds: KindResult[];
  /** Each refusal: the code and the message. */
  errors: Record<string, { code: string | undefined; message: string }>;
  /** The digit read from an SVG image of a "1". */
  svg: number;
  number: { text: string; fromImageData: string };
  corrected: { predicted: number; label: number; stored: number };
  leakedTensors: number;
}

declare global {
  interface Window {
    domInputs: {
      run(options: { wasmPaths: string; digits: number[][]; crossOrigin: string }): Promise<PageReport>;
    };
  }
}

/** A "1" as an SVG image: a file served beside the page, and loaded from another origin to taint a canvas. */
const SVG_ONE = `<svg xmlns="http://www.w3.org/2000/svg" width="280" height="280">
  <rect width="280" height="280" fill="white"/>
  <path d="M150 40 L150 240" stroke="black" stroke-width="22" stroke-linecap="round"/>
</svg>`;

const PAGE = {
  'index.html': `<!doctype html>
<html><body><script type="module" src="/main.ts"></script></body></html>`,
  'one.svg': SVG_ONE,
  'main.ts': `import { createRecognizer, isCrazyDigitsError, useBackend } from '@crazy-digits/core';
import * as tf from 'page-tfjs';
import { drawDigitOnCanvas } from 'test-canvas';

const SIDE = 280;

/** A 2D canvas of the page holding these pixels. */
function canvasOf(image) {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d').putImageData(image, 0, 0);
  return canvas;
}

function offscreenOf(image) {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d').putImageData(image, 0, 0);
  return canvas;
}

async function imageElementOf(blob) {
  const image = new Image();
  image.src = URL.createObjectURL(blob);
  await image.decode();
  return image;
}

/** A canvas whose context is a bitmap renderer, not 2D: read by copying it through a 2D canvas. */
async function bitmapRendererOf(image) {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('bitmaprenderer').transferFromImageBitmap(await createImageBitmap(image));
  return canvas;
}

/** A video showing the image (a canvas's stream), played until it has a frame. */
async function videoOf(image) {
  const canvas = canvasOf(image);
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = canvas.captureStream();
  await video.play();
  while (video.readyState < 2 || video.videoWidth === 0) {
    canvas.getContext('2d').putImageData(image, 0, 0);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return video;
}

/** The code and message of what \`attempt\` rejects with. */
async function refusal(attempt) {
  try {
    await attempt();
    return { code: 'resolved', message: '' };
  } catch (error) {
    return { code: isCrazyDigitsError(error) ? error.code : undefined, message: String(error?.message ?? error) };
  }
}

async function run({ wasmPaths, digits, crossOrigin }) {
  const backend = await useBackend('wasm', { wasmPaths });
  const before = tf.memory().numTensors;
  const recognizer = await createRecognizer({ backend: 'wasm' });

  // Each digit drawn on a 280x280 canvas, alternately black on white and ink on transparent.
  const images = digits.map((digit, i) => {
    const drawn = drawDigitOnCanvas(Float32Array.from(digit), {
      side: SIDE,
      size: 0.5 + 0.03 * (i % 5),
      background: i % 2 ? 'transparent' : 'dark-on-white',
    });
    return new ImageData(drawn.data, drawn.width, drawn.height);
  });
  const reference = await recognizer.predictBatch(images);

  const kinds = {
    HTMLCanvasElement: async (image) => canvasOf(image),
    OffscreenCanvas: async (image) => offscreenOf(image),
    ImageBitmap: (image) => createImageBitmap(image),
    'Blob (PNG)': (image) => offscreenOf(image).convertToBlob({ type: 'image/png' }),
    'File (PNG)': async (image) =>
      new File([await offscreenOf(image).convertToBlob({ type: 'image/png' })], 'digit.png', { type: 'image/png' }),
    HTMLImageElement: async (image) => imageElementOf(await offscreenOf(image).convertToBlob({ type: 'image/png' })),
    'canvas with a bitmaprenderer context': bitmapRendererOf,
    // A video's frame, the way to read one: createImageBitmap(video).
    'ImageBitmap of a video frame': async (image) => createImageBitmap(await videoOf(image)),
  };
  const results = [];
  for (const [kind, make] of Object.entries(kinds)) {
    const inputs = await Promise.all(images.map(make));
    const one = [];
    for (const input of inputs) one.push(await recognizer.predict(input));
    const batch = await recognizer.predictBatch(inputs);
    let largestDifference = 0;
    for (const [i, prediction] of [...one, ...batch].entries()) {
      const expected = reference[i % reference.length];
      prediction.probabilities.forEach((p, d) => {
        largestDifference = Math.max(largestDifference, Math.abs(p - expected.probabilities[d]));
      });
      if (prediction.digit !== batch[i % batch.length].digit) largestDifference = Number.POSITIVE_INFINITY;
    }
    results.push({ kind, digits: one.map((p) => p.digit), largestDifference });
  }

  // A number: three digits side by side on one wide canvas.
  const wide = document.createElement('canvas');
  wide.width = 3 * SIDE;
  wide.height = SIDE;
  const wideContext = wide.getContext('2d');
  wideContext.fillStyle = 'white';
  wideContext.fillRect(0, 0, wide.width, wide.height);
  for (let i = 0; i < 3; i++) wideContext.drawImage(canvasOf(images[2 * i]), i * SIDE, 0);
  const numberText = (await recognizer.readNumber(wide)).text;
  const numberFromImageData = (await recognizer.readNumber(wideContext.getImageData(0, 0, wide.width, wide.height))).text;

  // A correction made with a canvas: the same drawing as an ImageData then reads as corrected.
  const corrected = canvasOf(images[0]);
  const label = (reference[0].digit + 1) % 10;
  await recognizer.correct(corrected, label);
  const predicted = (await recognizer.predict(images[0])).digit;
  await recognizer.correctNumber(wide, numberText);

  // Refusals.
  const blankCanvas = document.createElement('canvas');
  blankCanvas.width = SIDE;
  blankCanvas.height = SIDE;
  const whiteCanvas = canvasOf(new ImageData(new Uint8ClampedArray(SIDE * SIDE * 4).fill(255), SIDE, SIDE));
  const broken = new Image();
  await new Promise((resolve) => {
    broken.onerror = resolve;
    broken.src = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==';
  });
  const pngUrl = URL.createObjectURL(await offscreenOf(images[0]).convertToBlob({ type: 'image/png' }));
  const closed = await createImageBitmap(images[0]);
  closed.close();
  const foreign = new Image();
  foreign.src = crossOrigin + 'one.svg';
  await foreign.decode();
  const tainted = document.createElement('canvas');
  tainted.width = SIDE;
  tainted.height = SIDE;
  tainted.getContext('2d').drawImage(foreign, 0, 0);
  const sameOrigin = new Image();
  sameOrigin.src = '/one.svg';
  await sameOrigin.decode();
  const tiny = document.createElement('canvas');
  tiny.width = 4;
  tiny.height = 4;
  const huge = document.createElement('canvas');
  huge.width = 5000;
  huge.height = 10;
  const pngBytes = new Uint8Array(await (await offscreenOf(images[0]).convertToBlob({ type: 'image/png' })).arrayBuffer());

  const errors = {
    'blank canvas': await refusal(() => recognizer.predict(blankCanvas)),
    'white canvas': await refusal(() => recognizer.predict(whiteCanvas)),
    'blank canvas, readNumber': await refusal(() => recognizer.readNumber(blankCanvas)),
    'blank OffscreenCanvas': await refusal(() => recognizer.predict(new OffscreenCanvas(SIDE, SIDE))),
    'broken image': await refusal(() => recognizer.predict(broken)),
    'image still loading': await refusal(() => {
      const loading = new Image();
      loading.src = pngUrl; // read in the same task: it cannot have loaded yet
      return recognizer.predict(loading);
    }),
    'closed ImageBitmap': await refusal(() => recognizer.predict(closed)),
    'text Blob': await refusal(() => recognizer.predict(new Blob(['not an image'], { type: 'text/plain' }))),
    'PNG Blob of junk': await refusal(() =>
      recognizer.correct(new Blob([new Uint8Array([137, 80, 78, 71, 1, 2, 3])], { type: 'image/png' }), 1),
    ),
    'empty File': await refusal(() => recognizer.predictBatch([images[0], new File([], 'empty.png')])),
    'tainted canvas': await refusal(() => recognizer.predict(tainted)),
    'cross-origin image': await refusal(() => recognizer.predict(foreign)),
    'tiny canvas': await refusal(() => recognizer.predict(tiny)),
    'huge canvas': await refusal(() => recognizer.predict(huge)),
    'PNG bytes': await refusal(() => recognizer.predict(pngBytes)),
  };
  // An SVG image of a "1" from this origin is read like any picture.
  const svg = (await recognizer.predict(sameOrigin)).digit;

  const stored = await recognizer.store.count();
  recognizer.dispose();
  // Every tensor made by the recogniser and by all the reading above is gone once it is disposed.
  const leakedTensors = tf.memory().numTensors - before;
  return {
    backend,
    fromImageData: reference.map((p) => p.digit),
    kinds: results,
    errors,
    svg,
    number: { text: numberText, fromImageData: numberFromImageData },
    corrected: { predicted, label, stored },
    leakedTensors,
  };
}

window.domInputs = { run };
`,
};

const mnist = loadMnist('test', 20);

describe.skipIf(!chromiumPath)(`DOM inputs, in Chromium (${chromiumPath ?? noChromiumReason})`, () => {
  let harness: BrowserHarness;

  beforeAll(async () => {
    harness = await openBrowserPage({
      files: PAGE,
      aliases: {
        'page-tfjs': fileURLToPath(new URL('./page-tfjs.ts', import.meta.url)),
        'test-canvas': fileURLToPath(new URL('../../test-utils/src/canvas.ts', import.meta.url)),
      },
    });
    await harness.page.waitForFunction(() => window.domInputs !== undefined, null, { timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    expect(harness?.errors ?? []).toEqual([]);
    await harness?.close();
  });

  it('predicts the same digit from every kind of DOM input as from its ImageData, and refuses bad ones with typed errors', async () => {
    const count = 10;
    const digits = Array.from({ length: count }, (_, i) => Array.from(mnistDigit(mnist, i)));
    const truth = Array.from(mnist.labels.subarray(0, count));
    const page = new URL(harness.url);
    // The same server under another host name: another origin, whose image taints a canvas.
    const crossOrigin = `${page.protocol}//localhost:${page.port}/`;
    const report = await harness.page.evaluate((options) => window.domInputs.run(options), {
      wasmPaths: harness.wasmPaths,
      digits,
      crossOrigin,
    });

    expect(report.backend).toBe('wasm');
    // The drawings are read right, so "the same digit" means something.
    expect(report.fromImageData.filter((d, i) => d === truth[i]).length).toBeGreaterThanOrEqual(count - 1);
    expect(report.kinds.map((k) => k.kind)).toEqual([
      'HTMLCanvasElement',
      'OffscreenCanvas',
      'ImageBitmap',
      'Blob (PNG)',
      'File (PNG)',
      'HTMLImageElement',
      'canvas with a bitmaprenderer context',
      'ImageBitmap of a video frame',
    ]);
    for (const kind of report.kinds) {
      expect(kind.digits, kind.kind).toEqual(report.fromImageData);
      // Lossless paths give the ImageData's pixels; premultiplied alpha may round faint ink a little.
      expect(kind.largestDifference, kind.kind).toBeLessThan(0.05);
    }
    expect(report.number.text).toBe(report.number.fromImageData);
    expect(report.number.text).toHaveLength(3);
    expect(report.corrected.predicted).toBe(report.corrected.label);
    expect(report.corrected.stored).toBeGreaterThanOrEqual(1);

    const codes = Object.fromEntries(Object.entries(report.errors).map(([what, e]) => [what, e.code]));
    expect(codes).toEqual({
      'blank canvas': 'EMPTY_IMAGE',
      'white canvas': 'EMPTY_IMAGE',
      'blank canvas, readNumber': 'EMPTY_IMAGE',
      'blank OffscreenCanvas': 'EMPTY_IMAGE',
      'broken image': 'INVALID_IMAGE',
      'image still loading': 'INVALID_IMAGE',
      'closed ImageBitmap': 'INVALID_IMAGE',
      'text Blob': 'INVALID_IMAGE',
      'PNG Blob of junk': 'INVALID_IMAGE',
      'empty File': 'INVALID_IMAGE',
      'tainted canvas': 'INVALID_IMAGE',
      'cross-origin image': 'INVALID_IMAGE',
      'tiny canvas': 'INVALID_IMAGE',
      'huge canvas': 'IMAGE_TOO_LARGE',
      'PNG bytes': 'INVALID_IMAGE',
    });
    const message = (what: string) => report.errors[what]?.message ?? '';
    expect(message('broken image')).toMatch(/failed to load or decode/);
    expect(message('image still loading')).toMatch(/still loading/);
    expect(message('closed ImageBitmap')).toMatch(/has been closed/);
    expect(message('text Blob')).toMatch(/text\/plain, 12 bytes\) is not an image/);
    expect(message('tainted canvas')).toMatch(/cross-origin image without CORS/);
    expect(message('cross-origin image')).toMatch(/cross-origin image without CORS/);
    expect(message('PNG bytes')).toMatch(/bytes are not pixels.*decodeImage.*new Blob\(\[bytes\]\)/);
    expect(report.svg).toBe(1);
    expect(report.leakedTensors).toBe(0);
  }, 120_000);
});
