import {
  drawDigitOnCanvas,
  expectCode,
  expectNoLeakedTensors,
  loadMnist,
  mnistDigit,
} from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer, isCrazyDigitsError, type Recognizer, type RecognizerInput } from '../src/index.js';

/**
 * The paths of `RecognizerInput` that Node can take: encoded bytes and Blobs refused with a way
 * forward, canvases recognised by their shape (as node-canvas's, or a canvas from another
 * realm), and the DOM sources' own refusals. Real DOM sources are tested in Chromium
 * (`dom-inputs-chromium.test.ts`).
 */

const mnist = loadMnist('test', 40);
let recognizer: Recognizer;

beforeAll(async () => {
  recognizer = await createRecognizer({ backend: 'wasm' });
});
afterAll(() => recognizer.dispose());

/** The error `promise` rejects with. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** A canvas as node-canvas (or another realm's) has it: a size and a 2D context with getImageData. */
function fakeCanvas(
  pixels: { data: Uint8ClampedArray; width: number; height: number },
  overrides: { getContext?: () => unknown; getImageData?: () => unknown } = {},
) {
  const calls = { getContext: 0, getImageData: 0 };
  const context = {
    drawImage() {},
    getImageData: (x: number, y: number, width: number, height: number) => {
      calls.getImageData++;
      if (overrides.getImageData) return overrides.getImageData();
      expect([x, y, width, height]).toEqual([0, 0, pixels.width, pixels.height]);
      // A copy, as a real context gives: later drawing does not change what was read.
      return { data: Uint8ClampedArray.from(pixels.data), width: pixels.width, height: pixels.height };
    },
  };
  const canvas = {
    width: pixels.width,
    height: pixels.height,
    getContext: (type: unknown) => {
      calls.getContext++;
      if (overrides.getContext) return overrides.getContext();
      return type === '2d' ? context : null;
    },
  };
  return { canvas: canvas as unknown as RecognizerInput, pixels, calls };
}

/** A PNG's first bytes, then anything: enough for core to know what it was given. */
const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG_BYTES = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]);

describe('encoded bytes', () => {
  it('are refused with an INVALID_IMAGE that says to decode them with the node adapter', async () => {
    for (const bytes of [
      PNG_BYTES,
      Buffer.from(JPEG_BYTES),
      PNG_BYTES.buffer,
      new DataView(JPEG_BYTES.buffer),
    ]) {
      const error = await failure(recognizer.predict(bytes as unknown as RecognizerInput));
      expect(isCrazyDigitsError(error, 'INVALID_IMAGE')).toBe(true);
      expect(String(error)).toMatch(
        /bytes are not pixels: pass \{ data, width, height \}, or decode an encoded image first \(in Node, predict\(await decodeImage\(bytes\)\) with @crazy-digits\/node-adapter; in a browser, new Blob\(\[bytes\]\)\)/,
      );
    }
    // Pixels without their size (an ImageData's data alone): the same error, which says what to pass.
    await expectCode(
      recognizer.predict(new Uint8ClampedArray(280 * 280 * 4) as unknown as RecognizerInput),
      'INVALID_IMAGE',
    );
  });

  it('are refused by every method that takes an image', async () => {
    const bytes = PNG_BYTES as unknown as RecognizerInput;
    await expectCode(recognizer.predictBatch([mnistDigit(mnist, 0), bytes]), 'INVALID_IMAGE');
    await expectCode(recognizer.correct(bytes, 3), 'INVALID_IMAGE');
    await expectCode(recognizer.readNumber(bytes), 'INVALID_IMAGE');
    await expectCode(recognizer.correctNumber(bytes, '12'), 'INVALID_IMAGE');
    expect(await recognizer.store.count()).toBe(0);
  });
});

describe('a Blob in Node (no createImageBitmap)', () => {
  it('is refused with an INVALID_IMAGE that gives the Node one-liner', async () => {
    expect(typeof Blob).toBe('function');
    const blob = new Blob([PNG_BYTES], { type: 'image/png' });
    for (const attempt of [
      recognizer.predict(blob),
      recognizer.predictBatch([blob]),
      recognizer.correct(blob, 1),
      recognizer.readNumber(blob),
      recognizer.correctNumber(blob, '1'),
    ]) {
      const error = await failure(attempt);
      expect(isCrazyDigitsError(error, 'INVALID_IMAGE')).toBe(true);
      expect(String(error)).toMatch(/createImageBitmap.*decodeImage/);
    }
  });
});

describe('a canvas recognised by its shape', () => {
  it('is read through its 2D context and predicts what its pixels predict', async () => {
    const drawings = [0, 1, 2, 3].map((i) => drawDigitOnCanvas(mnistDigit(mnist, i)));
    const canvases = drawings.map((d) => fakeCanvas(d));
    await expectNoLeakedTensors(async () => {
      for (const [i, { canvas, calls }] of canvases.entries()) {
        const fromCanvas = await recognizer.predict(canvas);
        const fromPixels = await recognizer.predict(drawings[i] as RecognizerInput);
        expect(fromCanvas.digit).toBe(fromPixels.digit);
        expect(fromCanvas.probabilities).toEqual(fromPixels.probabilities);
        expect(calls).toEqual({ getContext: 1, getImageData: 1 });
      }
      const batch = await recognizer.predictBatch(canvases.map((c) => c.canvas));
      expect(batch.map((p) => p.digit)).toEqual(
        (await recognizer.predictBatch(drawings)).map((p) => p.digit),
      );
    });
  });

  it('is read when the method is called: drawing on after the call changes nothing', async () => {
    const drawing = drawDigitOnCanvas(mnistDigit(mnist, 4));
    const { canvas, pixels } = fakeCanvas({ ...drawing, data: Uint8ClampedArray.from(drawing.data) });
    const pending = recognizer.predict(canvas);
    pixels.data.fill(255); // cleared to white before the promise settles
    expect((await pending).digit).toBe((await recognizer.predict(drawing)).digit);
    // The same for a tensor disposed as soon as the call returns.
    const tensor = tf.tensor2d(mnistDigit(mnist, 5), [28, 28]);
    const fromTensor = recognizer.predict(tensor);
    tensor.dispose();
    expect((await fromTensor).digit).toBe(mnist.labels[5]);
  });

  it('gives the errors its pixels would: blank, too small, too large, unreadable', async () => {
    const blank = fakeCanvas({
      data: new Uint8ClampedArray(280 * 280 * 4).fill(255),
      width: 280,
      height: 280,
    });
    await expectCode(recognizer.predict(blank.canvas), 'EMPTY_IMAGE');
    await expectCode(recognizer.readNumber(blank.canvas), 'EMPTY_IMAGE');

    // The size is checked before the context is asked for: no pixel of a huge canvas is read.
    for (const [width, height, code] of [
      [0, 0, 'INVALID_IMAGE'],
      [5, 280, 'INVALID_IMAGE'],
      [5000, 280, 'IMAGE_TOO_LARGE'],
    ] as const) {
      const sized = fakeCanvas({ data: new Uint8ClampedArray(0), width, height });
      await expectCode(recognizer.predict(sized.canvas), code);
      expect(sized.calls.getContext).toBe(0);
    }
    const large = await failure(
      recognizer.predict(fakeCanvas({ data: new Uint8ClampedArray(0), width: 5000, height: 300 }).canvas),
    );
    expect(large).toMatchObject({ width: 5000, height: 300, maxSide: 4096 });

    const transferred = fakeCanvas(drawDigitOnCanvas(mnistDigit(mnist, 0)), {
      getContext: () => {
        throw Object.assign(new Error('Cannot get context from a canvas that has transferred its control'), {
          name: 'InvalidStateError',
        });
      },
    });
    const detached = await failure(recognizer.predict(transferred.canvas));
    expect(isCrazyDigitsError(detached, 'INVALID_IMAGE')).toBe(true);
    expect((detached as Error).cause).toBeInstanceOf(Error);

    const tainted = fakeCanvas(drawDigitOnCanvas(mnistDigit(mnist, 0)), {
      getImageData: () => {
        throw Object.assign(new Error('The canvas has been tainted by cross-origin data.'), {
          name: 'SecurityError',
        });
      },
    });
    const refused = await failure(recognizer.predict(tainted.canvas));
    expect(isCrazyDigitsError(refused, 'INVALID_IMAGE')).toBe(true);
    expect(String(refused)).toMatch(/cross-origin image without CORS/);

    // A canvas with no 2D context (WebGL) is copied through a 2D canvas, which Node does not have.
    const webgl = fakeCanvas(drawDigitOnCanvas(mnistDigit(mnist, 0)), { getContext: () => null });
    await expectCode(recognizer.predict(webgl.canvas), 'CANVAS_UNAVAILABLE');
  });

  it('is read by readNumber, correctNumber and correct, and a correction of it takes effect', async () => {
    const own = await createRecognizer({ backend: 'wasm' });
    try {
      const drawing = drawDigitOnCanvas(mnistDigit(mnist, 7), { size: 0.5 });
      const { canvas } = fakeCanvas(drawing);
      const truth = mnist.labels[7] ?? 0;
      const reading = await own.readNumber(canvas);
      expect(reading.text).toBe(String(truth));
      const label = (truth + 1) % 10;
      await own.correct(canvas, label);
      expect((await own.predict(drawing)).digit).toBe(label);
      expect((await own.correctNumber(canvas, String(label))).ids).toEqual([]);
      // An MNIST-style tensor is read too (test digit 11: a 6, not a 9 like the corrected one).
      const tensor = tf.tensor1d(mnistDigit(mnist, 11));
      expect((await own.readNumber(tensor, { digits: 1 })).text).toBe(String(mnist.labels[11]));
      tensor.dispose();
    } finally {
      own.dispose();
    }
  });
});

describe('image elements recognised by their shape', () => {
  const element = (fields: Record<string, unknown>) => fields as unknown as RecognizerInput;

  it('refuse an image still loading, or one that failed to load, before drawing it', async () => {
    const loading = await failure(
      recognizer.predict(
        element({ complete: false, naturalWidth: 0, naturalHeight: 0, currentSrc: 'a.png' }),
      ),
    );
    expect(isCrazyDigitsError(loading, 'INVALID_IMAGE')).toBe(true);
    expect(String(loading)).toMatch(/still loading: await image\.decode\(\)/);
    const broken = await failure(
      recognizer.predict(element({ complete: true, naturalWidth: 0, naturalHeight: 0, currentSrc: 'a.png' })),
    );
    expect(String(broken)).toMatch(/failed to load or decode/);
    await expectCode(
      recognizer.predict(
        element({ complete: true, naturalWidth: 9000, naturalHeight: 20, currentSrc: 'a.png' }),
      ),
      'IMAGE_TOO_LARGE',
    );
    // Loaded and of a good size: drawn on a 2D canvas, which Node does not have.
    await expectCode(
      recognizer.predict(
        element({ complete: true, naturalWidth: 280, naturalHeight: 280, currentSrc: 'a.png' }),
      ),
      'CANVAS_UNAVAILABLE',
    );
  });

  it('leak no tensors when refused', async () => {
    await expectNoLeakedTensors(async () => {
      await expectCode(recognizer.predict(PNG_BYTES as unknown as RecognizerInput), 'INVALID_IMAGE');
      await expectCode(
        recognizer.predictBatch([mnistDigit(mnist, 0), element({ complete: false, naturalWidth: 0 })]),
        'INVALID_IMAGE',
      );
    });
  });
});
