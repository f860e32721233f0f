import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import {
  type CrazyDigitsErrorCode,
  isCrazyDigitsError,
  preprocess,
  type RgbaImage,
} from '@crazy-digits/core';
import { ImageTooLargeError, InvalidImageError } from '@crazy-digits/core/store-kit';
import { drawDigitOnCanvas, expectCode, loadMnist, mnistDigit, pngChunk } from '@crazy-digits/test-utils';
import fc from 'fast-check';
import { encode as encodeJpegPixels } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DecodeImageOptions,
  decodeImage as decodeImageWith,
  defaultImageDecoder,
  EncodedImageTooLargeError,
  ImageFileError,
  ImageTooManyPixelsError,
  InvalidDecodeOptionsError,
  UnsupportedImageFormatError,
} from '../src/image/index.js';

// ---------------------------------------------------------------------------------------------
// Encoders for test inputs: pngjs and jpeg-js where they can write the variant, a hand-built PNG
// where pngjs cannot (palette, bit depths below 8, Adam7 interlacing).

/** A smooth colour ramp with varying alpha: every channel takes many values, JPEG stays close. */
function pattern(width: number, height: number, opaque = false): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      data[at] = Math.round((255 * x) / Math.max(1, width - 1));
      data[at + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      data[at + 2] = (x * 7 + y * 3) % 256;
      data[at + 3] = opaque ? 255 : 255 - ((x + y) % 128);
    }
  }
  return data;
}

function encodePng(image: RgbaImage, options: { colorType?: 0 | 2 | 4 | 6; bitDepth?: 8 | 16 } = {}): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data);
  return PNG.sync.write(png, { colorType: options.colorType ?? 6, bitDepth: options.bitDepth ?? 8 });
}

function encodeJpeg(image: RgbaImage, quality = 95): Buffer {
  return encodeJpegPixels({ data: image.data, width: image.width, height: image.height }, quality).data;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

interface RawPngSpec {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  interlaced?: boolean;
  /** The raw samples of one pixel (palette index, gray, gray + alpha, RGB or RGBA). */
  samples: (x: number, y: number) => number[];
  palette?: [number, number, number][];
  paletteAlpha?: number[];
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([bitDepth, colorType, 0, 0, interlace], 8);
  return pngChunk('IHDR', data);
}

/** Unfiltered scanlines (filter byte 0) of every pass, samples packed MSB first. */
function scanlines(spec: RawPngSpec): Buffer {
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of spec.interlaced ? ADAM7 : [[0, 0, 1, 1] as const]) {
    for (let y = y0; y < spec.height; y += dy) {
      if (x0 >= spec.width) break;
      rows.push(0);
      let bits = 0;
      let filled = 0;
      for (let x = x0; x < spec.width; x += dx) {
        for (const sample of spec.samples(x, y)) {
          if (spec.bitDepth === 16) rows.push(sample >> 8, sample & 0xff);
          else if (spec.bitDepth === 8) rows.push(sample);
          else {
            bits = (bits << spec.bitDepth) | sample;
            filled += spec.bitDepth;
            if (filled === 8) {
              rows.push(bits);
              bits = 0;
              filled = 0;
            }
          }
        }
      }
      if (filled > 0) rows.push(bits << (8 - filled));
    }
  }
  return Buffer.from(rows);
}

function rawPng(spec: RawPngSpec, imageData = deflateSync(scanlines(spec))): Buffer {
  return Buffer.concat([
    SIGNATURE,
    ihdr(spec.width, spec.height, spec.bitDepth, spec.colorType, spec.interlaced ? 1 : 0),
    ...(spec.palette ? [pngChunk('PLTE', Buffer.from(spec.palette.flat()))] : []),
    ...(spec.paletteAlpha ? [pngChunk('tRNS', Buffer.from(spec.paletteAlpha))] : []),
    pngChunk('IDAT', imageData),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The RGBA a conforming decoder produces for a raw PNG, samples scaled to 8 bits with rounding. */
function expectedRgba(spec: RawPngSpec): Uint8ClampedArray {
  const max = 2 ** spec.bitDepth - 1;
  const scale = (v: number) => Math.round((v * 255) / max);
  const out = new Uint8ClampedArray(spec.width * spec.height * 4);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      const s = spec.samples(x, y);
      const at = (y * spec.width + x) * 4;
      if (spec.colorType === 3) {
        const index = s[0] ?? 0;
        out.set([...(spec.palette?.[index] ?? [0, 0, 0]), spec.paletteAlpha?.[index] ?? 255], at);
      } else {
        const [a = 0, b = 0, c = 0, d = 0] = s.map(scale);
        const rgba = { 0: [a, a, a, 255], 2: [a, b, c, 255], 4: [a, a, a, b], 6: [a, b, c, d] }[
          spec.colorType
        ];
        out.set(rgba, at);
      }
    }
  }
  return out;
}

function meanAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** A PNG whose IHDR declares `width`x`height` followed by a tiny body: what an attacker sends. */
function forgedPngHeader(width: number, height: number): Buffer {
  return Buffer.concat([
    SIGNATURE,
    ihdr(width, height, 8, 6),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG with only a baseline frame header declaring `width`x`height`, and no scan. */
function forgedJpegHeader(width: number, height: number): Buffer {
  const sof = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  for (let id = 1; id <= 3; id++) sof.push(id, 0x11, 0);
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, ...sof, 0xff, 0xd9]);
}

const dataUrl = (mime: string, bytes: Uint8Array) =>
  `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

/** The fuzzing contract: a typed error, or a well-formed image with in-range pixels. */
async function expectTypedErrorOrImage(decoding: Promise<RgbaImage>): Promise<void> {
  let image: RgbaImage;
  try {
    image = await decoding;
  } catch (error) {
    if (!isCrazyDigitsError(error)) throw error;
    return;
  }
  expect(image.data).toBeInstanceOf(Uint8ClampedArray);
  expect(Number.isInteger(image.width) && image.width > 0).toBe(true);
  expect(Number.isInteger(image.height) && image.height > 0).toBe(true);
  expect(image.data.length).toBe(image.width * image.height * 4);
}

// ---------------------------------------------------------------------------------------------

const small: RgbaImage = { data: pattern(23, 17), width: 23, height: 17 };
const opaque: RgbaImage = { data: pattern(40, 32, true), width: 40, height: 32 };
let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'decode-image-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

// Every behaviour below holds for both decoders: sharp (a dev dependency here) and pure JS.
describe.each(['js', 'sharp'] as const)('decoder: %s', (decoder) => {
  const decodeImage = (input: Parameters<typeof decodeImageWith>[0], options: DecodeImageOptions = {}) =>
    decodeImageWith(input, { decoder, ...options });

  describe('decodeImage round trips', () => {
    const png = encodePng(small);
    const jpeg = encodeJpeg(opaque);

    const forms = (bytes: Buffer, mime: string, name: string) =>
      [
        ['Buffer', async () => bytes],
        ['Uint8Array at an offset', async () => new Uint8Array([9, 9, ...bytes]).subarray(2)],
        ['data URL', async () => dataUrl(mime, bytes)],
        ['bare base64', async () => bytes.toString('base64')],
        ['base64 wrapped at 76 columns', async () => bytes.toString('base64').replace(/.{76}/g, '$&\r\n')],
        [
          'file path',
          async () => {
            const path = join(directory, name);
            await writeFile(path, bytes);
            return path;
          },
        ],
      ] as const;

    for (const [form, make] of forms(png, 'image/png', 'small.png')) {
      it(`PNG from a ${form} decodes exactly`, async () => {
        const image = await decodeImage(await make());
        expect(image.width).toBe(small.width);
        expect(image.height).toBe(small.height);
        expect(image.data).toBeInstanceOf(Uint8ClampedArray);
        expect(Array.from(image.data)).toEqual(Array.from(small.data));
      });
    }

    for (const [form, make] of forms(jpeg, 'image/jpeg', 'opaque.jpg')) {
      it(`JPEG from a ${form} decodes close to the original`, async () => {
        const image = await decodeImage(await make());
        expect([image.width, image.height]).toEqual([opaque.width, opaque.height]);
        expect(image.data.length).toBe(opaque.data.length);
        expect(meanAbsoluteDifference(image.data, opaque.data)).toBeLessThan(4);
      });
    }

    it('JPEG pixels come back as opaque RGBA', async () => {
      const gray = Uint8ClampedArray.from(opaque.data, (v, i) =>
        i % 4 === 3 ? 255 : (opaque.data[i - (i % 4)] ?? v),
      );
      const image = await decodeImage(encodeJpeg({ ...opaque, data: gray }, 90));
      expect(image.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
    });

    it('the bytes pick the decoder, whatever the data URL says', async () => {
      const image = await decodeImage(dataUrl('image/jpeg', png));
      expect(Array.from(image.data)).toEqual(Array.from(small.data));
    });

    it('accepts image/jpg, upper-case headers and surrounding whitespace', async () => {
      await expect(
        decodeImage(`  ${dataUrl('IMAGE/JPG', jpeg).replace('base64', 'BASE64')}\n`),
      ).resolves.toMatchObject({
        width: opaque.width,
      });
    });
  });

  describe('PNG variants', () => {
    const w = 13;
    const h = 11;
    const palette: [number, number, number][] = Array.from({ length: 16 }, (_, i) => [
      i * 16,
      255 - i * 9,
      (i * 77) % 256,
    ]);
    const variants: [string, RawPngSpec][] = [
      [
        'gray 8-bit',
        { width: w, height: h, bitDepth: 8, colorType: 0, samples: (x, y) => [(x * 19 + y * 5) % 256] },
      ],
      ['gray 1-bit', { width: w, height: h, bitDepth: 1, colorType: 0, samples: (x, y) => [(x + y) % 2] }],
      ['gray 2-bit', { width: w, height: h, bitDepth: 2, colorType: 0, samples: (x, y) => [(x + y) % 4] }],
      [
        'gray 4-bit',
        { width: w, height: h, bitDepth: 4, colorType: 0, samples: (x, y) => [(x * 3 + y) % 16] },
      ],
      [
        'gray 16-bit',
        {
          width: w,
          height: h,
          bitDepth: 16,
          colorType: 0,
          samples: (x, y) => [(x * 4099 + y * 257) % 65536],
        },
      ],
      [
        'gray + alpha 8-bit',
        {
          width: w,
          height: h,
          bitDepth: 8,
          colorType: 4,
          samples: (x, y) => [(x * 19) % 256, (y * 23) % 256],
        },
      ],
      [
        'gray + alpha 16-bit',
        { width: w, height: h, bitDepth: 16, colorType: 4, samples: (x, y) => [x * 5000, 65535 - y * 4000] },
      ],
      [
        'RGB 8-bit',
        {
          width: w,
          height: h,
          bitDepth: 8,
          colorType: 2,
          samples: (x, y) => [x * 19, y * 23, (x * y) % 256],
        },
      ],
      [
        'RGB 16-bit',
        { width: w, height: h, bitDepth: 16, colorType: 2, samples: (x, y) => [x * 5000, y * 5000, 777] },
      ],
      [
        'RGBA 8-bit',
        {
          width: w,
          height: h,
          bitDepth: 8,
          colorType: 6,
          samples: (x, y) => [x * 19, y * 23, 100, (x * y * 3) % 256],
        },
      ],
      [
        'RGBA 16-bit',
        {
          width: w,
          height: h,
          bitDepth: 16,
          colorType: 6,
          samples: (x, y) => [x * 5000, y * 5000, 40000, 65535 - x * y * 300],
        },
      ],
      [
        'palette 8-bit',
        { width: w, height: h, bitDepth: 8, colorType: 3, palette, samples: (x, y) => [(x + y) % 16] },
      ],
      [
        'palette 4-bit with transparency',
        {
          width: w,
          height: h,
          bitDepth: 4,
          colorType: 3,
          palette,
          paletteAlpha: [0, 64, 128, 200],
          samples: (x, y) => [(x * 3 + y) % 16],
        },
      ],
      [
        'palette 2-bit',
        {
          width: w,
          height: h,
          bitDepth: 2,
          colorType: 3,
          palette: palette.slice(0, 4),
          samples: (x) => [x % 4],
        },
      ],
      [
        'palette 1-bit',
        {
          width: w,
          height: h,
          bitDepth: 1,
          colorType: 3,
          palette: palette.slice(0, 2),
          samples: (x, y) => [(x ^ y) & 1],
        },
      ],
    ];
    const interlaced: [string, RawPngSpec][] = variants
      .filter(([name]) =>
        ['RGBA 8-bit', 'gray 1-bit', 'palette 4-bit with transparency', 'RGB 16-bit'].includes(name),
      )
      .map(([name, spec]) => [`interlaced ${name}`, { ...spec, interlaced: true }]);

    for (const [name, spec] of [...variants, ...interlaced]) {
      it(`${name} decodes to the exact RGBA`, async () => {
        const image = await decodeImage(rawPng(spec));
        expect([image.width, image.height]).toEqual([spec.width, spec.height]);
        const expected = expectedRgba(spec);
        if (decoder === 'sharp' && spec.bitDepth === 16) {
          // libvips rounds 16-bit samples to 8 bits (v / 257); pngjs keeps the high byte.
          const worst = Math.max(...Array.from(image.data, (v, i) => Math.abs(v - (expected[i] ?? 0))));
          expect(worst).toBeLessThanOrEqual(1);
        } else {
          expect(Array.from(image.data)).toEqual(Array.from(expected));
        }
      });
    }

    it('interlaced images smaller than an Adam7 block decode (some passes are empty)', async () => {
      for (const [width, height] of [
        [1, 1],
        [3, 2],
        [1, 9],
      ] as const) {
        const spec: RawPngSpec = {
          width,
          height,
          bitDepth: 8,
          colorType: 2,
          interlaced: true,
          samples: (x, y) => [x, y, 7],
        };
        const image = await decodeImage(rawPng(spec));
        expect(Array.from(image.data)).toEqual(Array.from(expectedRgba(spec)));
      }
    });

    it('PNGs written by pngjs in gray, gray + alpha, RGB and 16-bit decode', async () => {
      for (const options of [
        { colorType: 0 },
        { colorType: 4 },
        { colorType: 2 },
        { colorType: 6, bitDepth: 16 },
      ] as const) {
        const image = await decodeImage(encodePng(small, options));
        expect([image.width, image.height]).toEqual([small.width, small.height]);
      }
    });
  });

  describe('size limits, checked before decoding', () => {
    it('rejects a 65535x65535 PNG header with a tiny body as ImageTooLargeError', async () => {
      const error = await decodeImage(forgedPngHeader(65535, 65535)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageTooLargeError);
      expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE', width: 65535, height: 65535, maxSide: 4096 });
    });

    it('rejects the same header sent as a data URL or base64 text', async () => {
      await expectCode(decodeImage(dataUrl('image/png', forgedPngHeader(65535, 65535))), 'IMAGE_TOO_LARGE');
      await expectCode(decodeImage(forgedPngHeader(65535, 65535).toString('base64')), 'IMAGE_TOO_LARGE');
    });

    it('rejects a forged JPEG frame header with huge dimensions', async () => {
      const error = await decodeImage(forgedJpegHeader(65500, 65500)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageTooLargeError);
      expect(error).toMatchObject({ width: 65500, height: 65500 });
    });

    it('finds the frame header after APPn segments, fill bytes and a thumbnail inside EXIF', async () => {
      const thumbnail = forgedJpegHeader(8, 8);
      const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, thumbnail.length + 2]), thumbnail]);
      const forged = forgedJpegHeader(9000, 10);
      const bytes = Buffer.concat([
        forged.subarray(0, 2),
        app1,
        Buffer.from([0xff, 0xff]),
        forged.subarray(2),
      ]);
      await expectCode(decodeImage(bytes), 'IMAGE_TOO_LARGE');
    });

    it('honours maxSide and maxPixels', async () => {
      await expectCode(decodeImage(encodePng(small), { maxSide: 20 }), 'IMAGE_TOO_LARGE');
      const error = await decodeImage(encodePng(small), { maxPixels: 23 * 17 - 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageTooManyPixelsError);
      expect(error).toBeInstanceOf(ImageTooLargeError);
      expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE', maxPixels: 23 * 17 - 1 });
      await expect(decodeImage(encodePng(small), { maxPixels: 23 * 17, maxSide: 23 })).resolves.toBeDefined();
      await expectCode(decodeImage(encodeJpeg(opaque), { maxPixels: 1000 }), 'IMAGE_TOO_LARGE');
      await expectCode(
        decodeImage(forgedJpegHeader(5000, 5000), { maxSide: 65535, maxPixels: 4096 * 4096 }),
        'IMAGE_TOO_LARGE',
      );
    });

    it('rejects more than maxBytes of encoded input in every form', async () => {
      const png = encodePng(small);
      const maxBytes = png.length - 1;
      const path = join(directory, 'too-big.png');
      await writeFile(path, png);
      for (const input of [png, dataUrl('image/png', png), png.toString('base64'), path]) {
        const error = await decodeImage(input, { maxBytes }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EncodedImageTooLargeError);
        expect(error).toMatchObject({ code: 'ENCODED_IMAGE_TOO_LARGE', maxBytes });
      }
      await expect(decodeImage(png, { maxBytes: png.length })).resolves.toBeDefined();
    });

    it('refuses a huge string before scanning it', async () => {
      await expectCode(decodeImage(`iVBORw0KGgo${'A'.repeat(40_000_000)}`), 'ENCODED_IMAGE_TOO_LARGE');
      await expectCode(
        decodeImage(`data:image/png;base64,${'A'.repeat(40_000_000)}`),
        'ENCODED_IMAGE_TOO_LARGE',
      );
    });

    it('stops an interlaced PNG whose image data inflates far past its header (a zlib bomb)', async () => {
      const spec: RawPngSpec = {
        width: 16,
        height: 16,
        bitDepth: 8,
        colorType: 6,
        interlaced: true,
        samples: () => [0, 0, 0, 0],
      };
      const bomb = rawPng(spec, deflateSync(Buffer.alloc(20 * 1024 * 1024), { level: 9 }));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const error = await decodeImage(bomb).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidImageError);
      // Inflating stopped at the size the header implies, rather than running to 20 MB and failing after.
      expect(error).toMatchObject({ cause: { code: 'ERR_BUFFER_TOO_LARGE' } });
    });

    it('rejects image data that ends early rather than padding it with invented pixels', async () => {
      const spec: RawPngSpec = {
        width: 16,
        height: 16,
        bitDepth: 8,
        colorType: 6,
        samples: () => [0, 0, 0, 0],
      };
      // pngjs alone returns a full 16x16 image for this, the rows past the data left as zeros.
      await expectCode(decodeImage(rawPng(spec, deflateSync(Buffer.alloc(100)))), 'INVALID_IMAGE');
      await expectCode(
        decodeImage(rawPng({ ...spec, interlaced: true }, deflateSync(Buffer.alloc(10)))),
        'INVALID_IMAGE',
      );
    });

    it('validates its options', async () => {
      for (const options of [
        { maxSide: 0 },
        { maxPixels: -1 },
        { maxBytes: 1.5 },
        { maxBytes: Number.NaN },
      ]) {
        await expect(decodeImage(encodePng(small), options)).rejects.toBeInstanceOf(
          InvalidDecodeOptionsError,
        );
      }
    });
  });

  describe('malformed input gets typed errors', () => {
    const png = encodePng(small);
    const jpeg = encodeJpeg(opaque);

    it('empty input in every form', async () => {
      for (const input of [Buffer.alloc(0), new Uint8Array(0), '', '  \n']) {
        await expectCode(decodeImage(input), 'INVALID_IMAGE');
      }
      await expectCode(decodeImage('data:image/png;base64,'), 'INVALID_DATA_URL');
    });

    it('input of the wrong type from untyped callers', async () => {
      for (const input of [null, 42, {}, new Float32Array(4)]) {
        // @ts-expect-error: exercising the runtime check
        await expectCode(decodeImage(input), 'INVALID_IMAGE');
      }
    });

    it('truncated PNGs at every length', async () => {
      for (let length = 1; length < png.length; length += 7) {
        const error = await decodeImage(png.subarray(0, length)).catch((e: unknown) => e);
        expect(isCrazyDigitsError(error), `length ${length}: ${String(error)}`).toBe(true);
      }
    });

    it('truncated JPEGs', async () => {
      for (let length = 3; length < jpeg.length; length += Math.ceil(jpeg.length / 40)) {
        const error = await decodeImage(jpeg.subarray(0, length)).catch((e: unknown) => e);
        expect(isCrazyDigitsError(error), `length ${length}: ${String(error)}`).toBe(true);
      }
    });

    it('corrupt PNG bodies: a bad checksum and bad image data, with the decoder error as cause', async () => {
      const badCrc = Buffer.from(png);
      const inIdat = badCrc.length - 20; // IEND is the last 12 bytes, IDAT's CRC the 4 before
      badCrc.writeUInt8(badCrc.readUInt8(inIdat) ^ 0xff, inIdat);
      const error = await decodeImage(badCrc).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidImageError);
      expect(error).toMatchObject({ cause: expect.any(Error) });

      const spec: RawPngSpec = { width: 8, height: 8, bitDepth: 8, colorType: 2, samples: () => [1, 2, 3] };
      const badFilter = scanlines(spec);
      badFilter[0] = 9; // filter types stop at 4
      const filtered = await decodeImage(rawPng(spec, deflateSync(badFilter))).catch((e: unknown) => e);
      expect(filtered).toBeInstanceOf(InvalidImageError);
      expect(filtered).toMatchObject({ cause: expect.any(Error) });
    });

    it('a palette index past the palette', async () => {
      const spec: RawPngSpec = {
        width: 8,
        height: 8,
        bitDepth: 8,
        colorType: 3,
        palette: [[1, 2, 3]],
        samples: () => [5],
      };
      await expectCode(decodeImage(rawPng(spec)), 'INVALID_IMAGE');
    });

    it('invalid IHDR fields', async () => {
      const body = pngChunk('IDAT', deflateSync(Buffer.alloc(64)));
      const end = pngChunk('IEND', Buffer.alloc(0));
      for (const header of [
        ihdr(0, 8, 8, 6),
        ihdr(8, 8, 3, 6),
        ihdr(8, 8, 16, 3),
        ihdr(8, 8, 8, 5),
        ihdr(8, 8, 8, 6, 2),
      ]) {
        await expectCode(decodeImage(Buffer.concat([SIGNATURE, header, body, end])), 'INVALID_IMAGE');
      }
    });

    it('corrupt JPEG bodies', async () => {
      const corrupt = Buffer.from(jpeg);
      corrupt.fill(0xff, Math.floor(jpeg.length / 2), Math.floor(jpeg.length / 2) + 64);
      const error = await decodeImage(corrupt).catch((e: unknown) => e);
      expect(isCrazyDigitsError(error), String(error)).toBe(true);
    });

    it('unsupported JPEG frame types', async () => {
      const lossless = forgedJpegHeader(8, 8);
      lossless[9] = 0xc3;
      await expectCode(decodeImage(lossless), 'UNSUPPORTED_IMAGE_FORMAT');
    });

    it('wrong magic bytes name the format they found', async () => {
      const cases: [Uint8Array | string, string][] = [
        [Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'gif'],
        [Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'), 'webp'],
        [Buffer.from('BM\x00\x00\x00\x00', 'latin1'), 'bmp'],
        [Buffer.from('hello, world'), 'unknown'],
        [Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'unknown'],
        [
          Buffer.from(
            '<?xml version="1.0"?>\n<!-- a digit -->\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
          ),
          'svg',
        ],
        [Buffer.from('\uFEFF  <svg width="28" height="28"><path d="M0 0"/></svg>'), 'svg'],
      ];
      for (const [input, format] of cases) {
        const error = await decodeImage(input).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnsupportedImageFormatError);
        expect(error).toMatchObject({ code: 'UNSUPPORTED_IMAGE_FORMAT', format });
      }
    });

    it('SVG text as a string, where file paths are not allowed', async () => {
      const error = await decodeImage('<svg xmlns="http://www.w3.org/2000/svg"/>', {
        allowFilePath: false,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNSUPPORTED_IMAGE_FORMAT', format: 'svg' });
    });

    it('malformed data URLs', async () => {
      const base64 = png.toString('base64');
      const cases: [string, CrazyDigitsErrorCode][] = [
        [`data:image/gif;base64,${base64}`, 'UNSUPPORTED_IMAGE_FORMAT'],
        [`data:text/plain;base64,${base64}`, 'UNSUPPORTED_IMAGE_FORMAT'],
        [`data:;base64,${base64}`, 'UNSUPPORTED_IMAGE_FORMAT'],
        [`data:image/png;base64${base64}`, 'INVALID_DATA_URL'],
        ['data:image/png;base64', 'INVALID_DATA_URL'],
        [`data:image/png,${base64}`, 'INVALID_DATA_URL'],
        [`data:image/png;base64,${base64.slice(0, 20)}!${base64.slice(20)}`, 'INVALID_DATA_URL'],
        [`data:image/png;base64,${base64.slice(0, 20)}%2B${base64.slice(20)}`, 'INVALID_DATA_URL'],
        [`data:image/png;base64,${base64}=`, 'INVALID_DATA_URL'],
        [`data:image/png;base64,${base64.slice(0, 21)}`, 'INVALID_DATA_URL'],
        [`data:image/png;base64,${'QUFB'.repeat(8)}`, 'UNSUPPORTED_IMAGE_FORMAT'],
        [`data:image/png;base64,${base64.slice(0, 200)}`, 'INVALID_IMAGE'],
        [`data:${'x'.repeat(300)};base64,${base64}`, 'INVALID_DATA_URL'],
      ];
      for (const [url, code] of cases) await expectCode(decodeImage(url), code);
    });

    it('strings that are not data URLs or image base64 are file paths', async () => {
      const missing = await decodeImage(join(directory, 'missing.png')).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ImageFileError);
      expect(missing).toMatchObject({ code: 'IMAGE_FILE_UNREADABLE', cause: { code: 'ENOENT' } });
      // Base64 with a stray character is not base64, so it is read as a (missing) path.
      await expectCode(decodeImage(`${png.toString('base64').slice(0, 40)}!`), 'IMAGE_FILE_UNREADABLE');
      const folder = join(directory, `${decoder}-a-folder`);
      await mkdir(folder);
      await expectCode(decodeImage(folder), 'IMAGE_FILE_UNREADABLE');
      await expectCode(decodeImage('bad\0path.png'), 'IMAGE_FILE_UNREADABLE');
      await expectCode(decodeImage(`${'long-name/'.repeat(1000)}x.png`), 'IMAGE_FILE_UNREADABLE');
      const empty = join(directory, 'empty.png');
      await writeFile(empty, '');
      await expectCode(decodeImage(empty), 'INVALID_IMAGE');
      await expectCode(
        decodeImage(join(directory, 'missing.png'), { allowFilePath: false }),
        'INVALID_DATA_URL',
      );
    });

    it.skipIf(process.platform === 'win32')('refuses a FIFO without blocking on it', async () => {
      const fifo = join(directory, `${decoder}-pipe.png`);
      execFileSync('mkfifo', [fifo]);
      await expectCode(decodeImage(fifo), 'IMAGE_FILE_UNREADABLE');
    });
  });

  describe('fuzzing: only typed errors or well-formed images', () => {
    const png = encodePng({ data: pattern(12, 10), width: 12, height: 10 });
    const interlacedPng = rawPng({
      width: 12,
      height: 10,
      bitDepth: 4,
      colorType: 3,
      interlaced: true,
      palette: Array.from({ length: 16 }, (_, i) => [i, i, i]),
      samples: (x, y) => [(x + y) % 16],
    });
    const jpeg = encodeJpeg({ data: pattern(24, 16, true), width: 24, height: 16 }, 80);
    const runs = { numRuns: 300 };

    /** Random byte edits (overwrite, insert, delete) of a valid file. */
    const mutated = (valid: Buffer) =>
      fc
        .array(
          fc.tuple(
            fc.nat({ max: valid.length - 1 }),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom('set', 'insert', 'delete'),
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        )
        .map((edits) => {
          const bytes = Array.from(valid);
          for (const [at, value, kind] of edits) {
            const i = Math.min(at, bytes.length - 1);
            if (kind === 'set') bytes[i] = value;
            else if (kind === 'insert') bytes.splice(i, 0, value);
            else if (bytes.length > 1) bytes.splice(i, 1);
          }
          return Buffer.from(bytes);
        });

    /** Recomputes every chunk's CRC so mutations reach the decoder instead of failing the checksum. */
    function withFixedCrcs(bytes: Buffer): Buffer {
      const out = Buffer.from(bytes);
      let offset = 8;
      while (offset + 12 <= out.length) {
        const length = out.readUInt32BE(offset);
        if (offset + 12 + length > out.length) break;
        out.writeUInt32BE(crc32(out.subarray(offset + 4, offset + 8 + length)), offset + 8 + length);
        offset += 12 + length;
      }
      return out;
    }

    it('random bytes, bare and behind PNG/JPEG signatures', async () => {
      const prefix = fc.constantFrom(Buffer.alloc(0), SIGNATURE, Buffer.from([0xff, 0xd8, 0xff]));
      await fc.assert(
        fc.asyncProperty(prefix, fc.uint8Array({ maxLength: 300 }), (head, tail) =>
          expectTypedErrorOrImage(decodeImage(Buffer.concat([head, tail]))),
        ),
        runs,
      );
    });

    it('mutations of a valid PNG (plain and interlaced), with and without fixed checksums', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutated(png), mutated(interlacedPng)), fc.boolean(), (bytes, fixCrc) =>
          expectTypedErrorOrImage(decodeImage(fixCrc ? withFixedCrcs(bytes) : bytes)),
        ),
        runs,
      );
    });

    it('mutations of a valid JPEG', async () => {
      await fc.assert(
        fc.asyncProperty(mutated(jpeg), (bytes) => expectTypedErrorOrImage(decodeImage(bytes))),
        runs,
      );
    });

    it('random data-URL and base64 strings', async () => {
      const base64 = png.toString('base64');
      const header = fc.constantFrom(
        'data:image/png;base64,',
        'data:image/jpeg;base64,',
        'data:',
        'DATA:image/png;',
        'iVBORw0KGgo',
        '/9j/',
        '',
      );
      const body = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.base64String({ maxLength: 200 }),
        fc.nat({ max: base64.length }).map((cut) => base64.slice(0, cut)),
        fc
          .tuple(fc.nat({ max: base64.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }))
          .map(([at, insert]) => base64.slice(0, at) + insert + base64.slice(at)),
      );
      await fc.assert(
        fc.asyncProperty(header, body, (head, tail) =>
          expectTypedErrorOrImage(decodeImage(head + tail, { allowFilePath: false })),
        ),
        runs,
      );
    });
  });

  describe('decoder option', () => {
    it("is checked, and 'auto' picks sharp where it is installed", async () => {
      await expect(
        decodeImageWith(encodePng(small), { decoder: 'magic' as DecodeImageOptions['decoder'] }),
      ).rejects.toMatchObject({ code: 'INVALID_OPTIONS', name: 'InvalidDecodeOptionsError' });
      expect(await defaultImageDecoder()).toBe('sharp');
    });
  });

  describe('end to end', () => {
    it('a PNG of a drawn digit decodes to what preprocess accepts, pixel for pixel', async () => {
      const canvas = drawDigitOnCanvas(mnistDigit(loadMnist('test', 1), 0), { background: 'transparent' });
      const image = await decodeImage(dataUrl('image/png', encodePng(canvas)));
      expect(Array.from(image.data)).toEqual(Array.from(canvas.data));
      const fromPng = preprocess(image);
      expect(fromPng.pixels).toHaveLength(784);
      expect(Array.from(fromPng.pixels)).toEqual(Array.from(preprocess(canvas).pixels));
    });
  });
});
