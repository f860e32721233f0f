import {
  createRecognizer,
  isCrazyDigitsError,
  type Recognizer,
  type RecognizerInput,
} from '@crazy-digits/core';
import { drawDigitOnCanvas, expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../src/index.js';

/**
 * A Node app with a PNG or JPEG in a Buffer (an upload, a file) predicts with one line,
 * `recognizer.predict(await decodeImage(buffer))`; core itself reads pixels, not file formats, and
 * says so when handed the Buffer.
 */

const mnist = loadMnist('test', 10);
let recognizer: Recognizer;

beforeAll(async () => {
  recognizer = await createRecognizer({ backend: 'wasm' });
});
afterAll(() => recognizer.dispose());

function png(image: { data: Uint8ClampedArray; width: number; height: number }): Buffer {
  const encoded = new PNG({ width: image.width, height: image.height });
  encoded.data = Buffer.from(image.data);
  return PNG.sync.write(encoded);
}

describe('PNG and JPEG buffers into a recogniser', () => {
  it('predict(await decodeImage(buffer)) reads what the pixels read, for PNG and JPEG', async () => {
    await expectNoLeakedTensors(async () => {
      for (let i = 0; i < 10; i++) {
        const pixels = drawDigitOnCanvas(mnistDigit(mnist, i), { size: 0.6 });
        const expected = await recognizer.predict(pixels);
        const fromPng = await recognizer.predict(await decodeImage(png(pixels)));
        expect(fromPng.probabilities).toEqual(expected.probabilities);
        const jpeg = encodeJpeg({ ...pixels, data: Buffer.from(pixels.data) }, 90).data;
        expect((await recognizer.predict(await decodeImage(jpeg, { decoder: 'js' }))).digit).toBe(
          expected.digit,
        );
      }
    });
  });

  it('the Buffer itself is refused by core with an INVALID_IMAGE naming decodeImage', async () => {
    const buffer = png(drawDigitOnCanvas(mnistDigit(mnist, 0)));
    const error = await recognizer.predict(buffer as unknown as RecognizerInput).catch((e: unknown) => e);
    expect(isCrazyDigitsError(error, 'INVALID_IMAGE')).toBe(true);
    expect(String(error)).toContain('predict(await decodeImage(bytes)) with @crazy-digits/node-adapter');
  });
});
