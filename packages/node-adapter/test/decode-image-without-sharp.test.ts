import { expectCode } from '@crazy-digits/test-utils';
import { PNG } from 'pngjs';
import { describe, expect, it, vi } from 'vitest';
import { decodeImage, defaultImageDecoder } from '../src/image/index.js';

// As on a machine where the optional sharp package is not installed.
vi.mock('sharp', () => {
  throw new Error("Cannot find package 'sharp'");
});

function png(): Buffer {
  const image = new PNG({ width: 9, height: 9 });
  image.data = Buffer.alloc(9 * 9 * 4, 200);
  return PNG.sync.write(image);
}

describe('decodeImage without sharp', () => {
  it("'auto' falls back to the JavaScript decoders", async () => {
    expect(await defaultImageDecoder()).toBe('js');
    const image = await decodeImage(png());
    expect([image.width, image.height, image.data[0]]).toEqual([9, 9, 200]);
  });

  it("'sharp' is refused with a typed error that says how to fix it", async () => {
    const attempt = decodeImage(png(), { decoder: 'sharp' });
    await expectCode(attempt, 'IMAGE_DECODER_UNAVAILABLE');
    await expect(attempt).rejects.toThrow(/npm install sharp/);
  });
});
