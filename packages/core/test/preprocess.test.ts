import { correlation, drawDigitOnCanvas, loadMnist, mnistDigit, shiftDigit } from '@crazy-digits/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CrazyDigitsErrorCode, isCrazyDigitsError, preprocess, toImageData } from '../src/index.js';
import { EmptyImageError, ImageTooLargeError, InvalidImageError } from '../src/store-kit.js';

const mnist = loadMnist('test', 300);

function blank(side: number, fill: [number, number, number, number]) {
  const data = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < data.length; i += 4) data.set(fill, i);
  return { data, width: side, height: side };
}

/** Correlation after the best whole-pixel shift of up to one pixel (centring rounds to whole pixels). */
function alignedCorrelation(a: Float32Array, b: Float32Array): number {
  let best = -1;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      best = Math.max(best, correlation(a, shiftDigit(b, dx, dy)));
    }
  }
  return best;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? 0))), 0);

function centreOfMass(pixels: Float32Array) {
  let total = 0;
  let x = 0;
  let y = 0;
  pixels.forEach((v, i) => {
    total += v;
    x += v * ((i % 28) + 0.5);
    y += v * (Math.floor(i / 28) + 0.5);
  });
  return { x: x / total, y: y / total };
}

function inkExtent(pixels: Float32Array) {
  let minX = 28;
  let maxX = -1;
  let minY = 28;
  let maxY = -1;
  pixels.forEach((v, i) => {
    if (v > 0) {
      minX = Math.min(minX, i % 28);
      maxX = Math.max(maxX, i % 28);
      minY = Math.min(minY, Math.floor(i / 28));
      maxY = Math.max(maxY, Math.floor(i / 28));
    }
  });
  return { width: maxX - minX + 1, height: maxY - minY + 1 };
}

describe('preprocess: MNIST normalisation of canvas drawings', () => {
  it('returns 784 values in 0–1 with the digit box at 20 px and the centre of mass at the centre', () => {
    for (let i = 0; i < 20; i++) {
      const result = preprocess(
        drawDigitOnCanvas(mnistDigit(mnist, i), { size: 0.5, centre: { x: 0.3, y: 0.7 } }),
      );
      expect(result.pixels).toHaveLength(784);
      expect(result.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      const extent = inkExtent(result.pixels);
      expect(Math.max(extent.width, extent.height)).toBe(20);
      const com = centreOfMass(result.pixels);
      // On pixel (14, 14), whose centre is at 14.5, by a whole-pixel shift: within half a pixel.
      expect(Math.abs(com.x - 14.5)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(com.y - 14.5)).toBeLessThanOrEqual(0.5);
    }
  });

  it('recovers the MNIST digit a canvas drawing was made from', () => {
    let total = 0;
    const count = 100;
    for (let i = 0; i < count; i++) {
      const original = mnistDigit(mnist, i);
      const drawn = drawDigitOnCanvas(original, { size: 0.45, centre: { x: 0.35, y: 0.6 } });
      total += correlation(preprocess(drawn).pixels, original);
    }
    expect(total / count).toBeGreaterThan(0.9);
  });

  it('is idempotent on MNIST itself: an MNIST digit read as grayscale comes back as it was', () => {
    let total = 0;
    for (let i = 0; i < mnist.count; i++) {
      const original = mnistDigit(mnist, i);
      const asGray = {
        data: mnist.images.subarray(i * 784, (i + 1) * 784),
        width: 28,
        height: 28,
        channels: 1 as const,
      };
      total += correlation(preprocess(asGray).pixels, original);
    }
    expect(total / mnist.count).toBeGreaterThan(0.99);
  });

  it('gives the same result whatever the position of the drawing', () => {
    const digit = mnistDigit(mnist, 3);
    const reference = preprocess(drawDigitOnCanvas(digit, { size: 0.5 })).pixels;
    fc.assert(
      fc.property(fc.integer({ min: -60, max: 60 }), fc.integer({ min: -60, max: 60 }), (dx, dy) => {
        const shifted = preprocess(
          drawDigitOnCanvas(digit, { size: 0.5, centre: { x: 0.5 + dx / 280, y: 0.5 + dy / 280 } }),
        ).pixels;
        return maxAbsDiff(shifted, reference) < 0.02;
      }),
      { numRuns: 25 },
    );
  });

  it('reads the same pixels alike wherever they sit in their buffer, on any background colour', () => {
    // Background pixels are skipped as whole 32-bit words where the bytes are 4-aligned.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.tuple(
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
        ),
        fc.integer({ min: 128, max: 255 }),
        (index, offset, [r, g, b], alpha) => {
          const drawn = drawDigitOnCanvas(mnistDigit(mnist, index), { size: 0.6 });
          const { data, width, height } = drawn;
          // The drawing's ink over an opaque background of another colour.
          const recoloured = Uint8ClampedArray.from(data);
          for (let p = 0; p < recoloured.length; p += 4) {
            if (data[p] === 255 && data[p + 1] === 255 && data[p + 2] === 255)
              recoloured.set([r, g, b, alpha], p);
          }
          const shifted = new Uint8ClampedArray(recoloured.length + offset).subarray(offset);
          shifted.set(recoloured);
          const read = (pixels: Uint8ClampedArray) => {
            try {
              return preprocess({ data: pixels, width, height }).pixels;
            } catch (error) {
              // A background as dark as the ink leaves nothing to read.
              if (isCrazyDigitsError(error, 'EMPTY_IMAGE')) return 'empty';
              throw error;
            }
          };
          const aligned = read(recoloured);
          const unaligned = read(shifted);
          if (aligned === 'empty' || unaligned === 'empty') {
            expect(unaligned).toBe(aligned);
            return;
          }
          expect(maxAbsDiff(unaligned, aligned)).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('gives nearly the same result whatever the size of the drawing', () => {
    for (let i = 0; i < 10; i++) {
      const digit = mnistDigit(mnist, i);
      const small = preprocess(drawDigitOnCanvas(digit, { size: 0.4 })).pixels;
      const large = preprocess(drawDigitOnCanvas(digit, { size: 0.9 })).pixels;
      expect(alignedCorrelation(small, large)).toBeGreaterThan(0.95);
    }
  });

  it('reads every polarity alike: dark on white, coloured ink on transparent, light on dark', () => {
    const digit = mnistDigit(mnist, 7);
    const onWhite = drawDigitOnCanvas(digit);
    const transparent = drawDigitOnCanvas(digit, { background: 'transparent', inkColour: [200, 30, 30] });
    const whiteOnTransparent = drawDigitOnCanvas(digit, {
      background: 'transparent',
      inkColour: [255, 255, 255],
    });
    const lightOnDark = {
      data: Uint8Array.from({ length: 280 * 280 }, (_, i) => 255 - (onWhite.data[i * 4] ?? 0)),
      width: 280,
      height: 280,
      channels: 1 as const,
    };
    const grayOnWhite = { ...lightOnDark, data: lightOnDark.data.map((v) => 255 - v) };
    const reference = preprocess(onWhite);
    expect(reference.info.source).toBe('dark-on-light');
    for (const [input, source] of [
      [transparent, 'alpha'],
      [whiteOnTransparent, 'alpha'],
      [lightOnDark, 'light-on-dark'],
      [grayOnWhite, 'dark-on-light'],
    ] as const) {
      const result = preprocess(input);
      expect(result.info.source).toBe(source);
      expect(maxAbsDiff(result.pixels, reference.pixels)).toBeLessThan(0.02);
    }
  });

  it('reads grey paper and grey ink by their contrast with the border', () => {
    const digit = mnistDigit(mnist, 11);
    const { data } = drawDigitOnCanvas(digit);
    const reference = preprocess({ data, width: 280, height: 280 }).pixels;
    // Paper at 220, ink at 60: the same drawing at lower contrast.
    const grey = data.map((v, i) => (i % 4 === 3 ? 255 : Math.round(60 + ((220 - 60) * v) / 255)));
    expect(maxAbsDiff(preprocess({ data: grey, width: 280, height: 280 }).pixels, reference)).toBeLessThan(
      0.03,
    );
  });

  it('passes MNIST-style 28x28 floats through unchanged, as a copy', () => {
    const digit = mnistDigit(mnist, 0);
    const result = preprocess(digit);
    expect(result.info.source).toBe('mnist');
    expect(result.pixels).toEqual(digit);
    expect(result.pixels).not.toBe(digit);
  });

  it('accepts the smallest and the largest canvases', () => {
    const digit = mnistDigit(mnist, 1);
    expect(preprocess(drawDigitOnCanvas(digit, { side: 8, size: 0.9 })).pixels).toHaveLength(784);
    const huge = drawDigitOnCanvas(digit, { side: 4096, size: 0.5 });
    const reference = preprocess(drawDigitOnCanvas(digit, { side: 280, size: 0.5 })).pixels;
    expect(alignedCorrelation(preprocess(huge).pixels, reference)).toBeGreaterThan(0.95);
  });

  it('keeps a digit whole when its centre of mass is far off its box centre', () => {
    // A "7"-like shape: a heavy top bar and a thin stem.
    const side = 100;
    const data = new Uint8ClampedArray(side * side * 4).fill(255);
    const paint = (x: number, y: number) => data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    for (let y = 10; y < 25; y++) for (let x = 20; x < 80; x++) paint(x, y);
    for (let y = 25; y < 90; y++) paint(75, y);
    const result = preprocess({ data, width: side, height: side });
    const extent = inkExtent(result.pixels);
    // Centring the heavy bar would push the stem out of the field: the shift stops at the edge.
    expect(extent.height).toBe(20);
    expect(result.info.offset?.y).toBe(8);
  });
});

describe('preprocess: bad input gets typed errors', () => {
  const cases: [string, unknown, CrazyDigitsErrorCode][] = [
    ['wrong RGBA length', { data: new Uint8ClampedArray(10), width: 28, height: 28 }, 'INVALID_IMAGE'],
    ['zero size', { data: new Uint8ClampedArray(0), width: 0, height: 0 }, 'INVALID_IMAGE'],
    ['too small', { data: new Uint8ClampedArray(4 * 4 * 4), width: 4, height: 4 }, 'INVALID_IMAGE'],
    ['non-integer size', { data: new Uint8ClampedArray(4), width: 1.5, height: 28 }, 'INVALID_IMAGE'],
    ['NaN size', { data: new Uint8ClampedArray(4), width: Number.NaN, height: 28 }, 'INVALID_IMAGE'],
    [
      '3 channels',
      { data: new Uint8ClampedArray(28 * 28 * 3), width: 28, height: 28, channels: 3 },
      'INVALID_IMAGE',
    ],
    ['plain array data', { data: new Array(28 * 28 * 4).fill(0), width: 28, height: 28 }, 'INVALID_IMAGE'],
    ['float RGBA', { data: new Float32Array(28 * 28 * 4), width: 28, height: 28 }, 'INVALID_IMAGE'],
    [
      'NaN in grayscale floats',
      { data: new Float32Array(28 * 28).fill(Number.NaN), width: 28, height: 28, channels: 1 },
      'INVALID_IMAGE',
    ],
    ['MNIST floats of the wrong length', new Float32Array(100), 'INVALID_IMAGE'],
    ['MNIST floats above 1', new Float32Array(784).fill(2), 'INVALID_IMAGE'],
    ['null', null, 'INVALID_IMAGE'],
    ['a string', 'data:image/png;base64,', 'INVALID_IMAGE'],
    ['wider than 4096 px', { data: new Uint8ClampedArray(4), width: 4097, height: 10 }, 'IMAGE_TOO_LARGE'],
    ['blank white canvas', blank(280, [255, 255, 255, 255]), 'EMPTY_IMAGE'],
    ['blank transparent canvas', blank(280, [0, 0, 0, 0]), 'EMPTY_IMAGE'],
    ['blank black canvas', blank(280, [0, 0, 0, 255]), 'EMPTY_IMAGE'],
  ];

  for (const [name, input, code] of cases) {
    it(`rejects ${name} with ${code}`, () => {
      let thrown: unknown;
      try {
        preprocess(input as Parameters<typeof preprocess>[0]);
      } catch (error) {
        thrown = error;
      }
      expect(isCrazyDigitsError(thrown, code)).toBe(true);
      expect(String((thrown as Error).message)).toMatch(/^\[crazy-digits\] /);
    });
  }

  it('uses the exported classes', () => {
    expect(() => preprocess({ data: new Uint8ClampedArray(4), width: 9000, height: 9000 })).toThrow(
      ImageTooLargeError,
    );
    expect(() => preprocess(blank(50, [255, 255, 255, 255]))).toThrow(EmptyImageError);
    expect(() => preprocess(new Float32Array(3))).toThrow(InvalidImageError);
  });

  it('reports the size and the limit of an image that is too large, honouring maxSide', () => {
    const digit = drawDigitOnCanvas(mnistDigit(mnist, 0), { side: 300 });
    expect(() => preprocess(digit, { maxSide: 299 })).toThrow(
      expect.objectContaining({ code: 'IMAGE_TOO_LARGE', width: 300, height: 300, maxSide: 299 }),
    );
  });

  it('treats specks of ink as an empty canvas', () => {
    const canvas = blank(280, [255, 255, 255, 255]);
    canvas.data.set([0, 0, 0, 255], (140 * 280 + 140) * 4);
    canvas.data.set([128, 128, 128, 255], (10 * 280 + 200) * 4);
    expect(() => preprocess(canvas)).toThrow(EmptyImageError);
  });
});

describe('preprocess: sparse drawings', () => {
  const canvasWith = (paint: (x: number, y: number) => boolean) => {
    const canvas = blank(280, [255, 255, 255, 255]);
    for (let y = 0; y < 280; y++)
      for (let x = 0; x < 280; x++)
        if (paint(x, y)) canvas.data.fill(0, (y * 280 + x) * 4, (y * 280 + x) * 4 + 3);
    return canvas;
  };

  it('rejects a dot as empty', () => {
    expect(() => preprocess(canvasWith((x, y) => (x - 100) ** 2 + (y - 100) ** 2 <= 4))).toThrow(
      EmptyImageError,
    );
  });

  it('reads a thin upright stroke (a "1") as a tall 20 px digit', () => {
    const result = preprocess(canvasWith((x, y) => x >= 136 && x < 144 && y >= 60 && y < 220));
    expect(inkExtent(result.pixels).height).toBe(20);
    expect(inkExtent(result.pixels).width).toBe(1);
  });
});

describe('toImageData', () => {
  it('renders the 28x28 result as opaque grey RGBA at the requested zoom', () => {
    const pixels = new Float32Array(784);
    pixels[0] = 1;
    pixels[29] = 0.5;
    const image = toImageData({ pixels }, 2);
    expect(image.width).toBe(56);
    expect(image.data).toHaveLength(56 * 56 * 4);
    expect(Array.from(image.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    expect(Array.from(image.data.subarray(4, 8))).toEqual([255, 255, 255, 255]);
    expect(image.data[(2 * 56 + 2) * 4]).toBe(128);
    expect(image.data[(2 * 56 + 4) * 4]).toBe(0);
    expect(() => toImageData({ pixels }, 0)).toThrow(InvalidImageError);
  });
});

describe('preprocess: pen width', () => {
  it('brings a fine-pen drawing to full ink, like an MNIST stroke', () => {
    const digit = mnistDigit(mnist, 2);
    const fine = preprocess(drawDigitOnCanvas(digit, { size: 0.9, level: 0.8 })).pixels;
    expect(Math.max(...fine)).toBeCloseTo(1, 5);
  });
});
