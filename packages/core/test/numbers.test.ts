import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  byWriter,
  drawMnistNumber,
  drawPenNumber,
  drawScribble,
  drawStrokes,
  expectCode,
  expectNoLeakedTensors,
  loadMnist,
  loadPenDigits,
  mnistDigit,
  type PenStroke,
  splitWriters,
} from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer, isCrazyDigitsError, type Recognizer } from '../src/index.js';
import { atomsOf, CUT_MIN_WIDTH_FORCED, segment } from '../src/numbers/segment.js';
import type { InkMap } from '../src/preprocess/ink.js';
import { readInk } from '../src/preprocess/validate.js';
import { NumberLengthMismatchError } from '../src/store-kit.js';
import { seededRandom } from '../src/training.js';

const mnist = loadMnist('test', 600);
const PEN_DATA = fileURLToPath(
  new URL('../../../../shared/data/unipen-dev/digits.jsonl.gz', import.meta.url),
);

/** MNIST test digits `from` to `from + length`, drawn side by side as one number. */
function mnistNumber(from: number, length: number, spacing: 'separate' | 'touching', seed: number) {
  const indices = Array.from({ length }, (_, i) => from + i);
  return drawMnistNumber(
    indices.map((i) => mnistDigit(mnist, i)),
    {
      spacing,
      background: seed % 2 === 0 ? 'dark-on-white' : 'transparent',
      random: seededRandom(seed),
      labels: indices.map((i) => mnist.labels[i] ?? 0),
    },
  );
}

/** A blank 840x280 canvas, dark on white. */
function blankCanvas(width = 840, height = 280) {
  return { data: new Uint8ClampedArray(width * height * 4).fill(255), width, height };
}

/** Strokes drawn in black on a white canvas of `width` x 280. */
function strokesCanvas(strokes: PenStroke[], width: number) {
  return drawStrokes(strokes, { width, height: 280, radius: 9, background: 'dark-on-white' });
}

let recognizer: Recognizer;

beforeAll(async () => {
  recognizer = await createRecognizer();
});

afterAll(() => {
  recognizer.dispose();
});

describe('readNumber', () => {
  it('reads numbers of separate MNIST digits drawn on a canvas (floor on 40 numbers)', async () => {
    let whole = 0;
    for (let n = 0; n < 40; n++) {
      const drawn = mnistNumber(n * 6, 2 + (n % 5), 'separate', n);
      const reading = await recognizer.readNumber(drawn.image);
      if (reading.text === drawn.text) whole++;
    }
    expect(whole / 40).toBeGreaterThanOrEqual(0.9);
  });

  it('gives each digit its box, left to right, around the digit it reads', async () => {
    const drawn = mnistNumber(300, 4, 'separate', 1);
    const reading = await recognizer.readNumber(drawn.image);
    expect(reading.text).toBe(drawn.text);
    expect(reading.digits).toHaveLength(4);
    reading.digits.forEach((digit, i) => {
      const truth = drawn.boxes[i];
      if (!truth) throw new Error('unreachable: a box per digit');
      const centre = digit.box.x + digit.box.width / 2;
      expect(centre).toBeGreaterThan(truth.x);
      expect(centre).toBeLessThan(truth.x + truth.width);
      expect(digit.preprocessed.pixels).toHaveLength(784);
      expect(digit.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    });
    const product = reading.digits.reduce((p, d) => p * d.confidence, 1);
    expect(reading.confidence).toBeCloseTo(product, 10);
  });

  it('reads numbers whose MNIST digits touch (floor on 30 numbers)', async () => {
    let whole = 0;
    for (let n = 0; n < 30; n++) {
      const drawn = mnistNumber(300 + n * 3, 2 + (n % 3), 'touching', 100 + n);
      if ((await recognizer.readNumber(drawn.image)).text === drawn.text) whole++;
    }
    // These 30 read 26 whole.
    expect(whole / 30).toBeGreaterThanOrEqual(0.7);
  });

  it('keeps a digit of several strokes whole: a 5 with its bar lifted off', async () => {
    const five: PenStroke[] = [
      [
        [100, 60],
        [95, 140],
        [140, 130],
        [175, 160],
        [175, 200],
        [140, 225],
        [95, 215],
      ],
      [
        [102, 60],
        [180, 58],
      ],
    ];
    const reading = await recognizer.readNumber(strokesCanvas(five, 280));
    expect(reading.text).toBe('5');
    expect(reading.digits).toHaveLength(1);
  });

  it('ignores a stray speck beside the number', async () => {
    const drawn = mnistNumber(60, 3, 'separate', 2);
    const clean = await recognizer.readNumber(drawn.image);
    const specked = { ...drawn.image, data: Uint8ClampedArray.from(drawn.image.data) };
    const { width } = specked;
    // A 6x6 px dot near the bottom right corner (a pen tap).
    for (let y = 260; y < 266; y++)
      for (let x = width - 12; x < width - 6; x++)
        specked.data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    const reading = await recognizer.readNumber(specked);
    expect(reading.text).toBe(clean.text);
  });

  it('ignores a pen tap beside the digits, however much ink it has', async () => {
    const drawn = mnistNumber(60, 3, 'separate', 2);
    const clean = await recognizer.readNumber(drawn.image);
    const last = clean.digits.at(-1)?.box;
    if (!last) throw new Error('expected digits');
    // A disc as wide as a thick pen after the last digit, like a full stop: heavy for its size
    // (more ink than a twentieth of a digit's), still no digit.
    const radius = 14;
    const cx = last.x + last.width + 2 * radius;
    const cy = last.y + last.height - radius;
    const tapped = { ...drawn.image, data: Uint8ClampedArray.from(drawn.image.data) };
    const { width } = tapped;
    expect(cx + radius).toBeLessThan(width);
    for (let y = Math.floor(cy - radius); y <= cy + radius; y++)
      for (let x = Math.floor(cx - radius); x <= cx + radius; x++)
        if ((x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2) {
          const at = (y * width + x) * 4;
          tapped.data.fill(0, at, at + 3);
          tapped.data[at + 3] = 255;
        }
    const reading = await recognizer.readNumber(tapped);
    expect(reading.text).toBe(clean.text);
  });

  it('flags scribbles as uncertain, with a low confidence (floor on 40)', async () => {
    // These 40 give 30 with both; docs/numbers.md has the wider figure.
    let flagged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const reading = await recognizer.readNumber(drawScribble(seededRandom(seed)));
      if (reading.confidence < 0.8 && reading.digits.some((d) => d.uncertain)) flagged++;
    }
    expect(flagged / 40).toBeGreaterThanOrEqual(0.55);
  });

  it('honours an expected length, and says when the drawing cannot have it', async () => {
    const drawn = mnistNumber(120, 3, 'separate', 3);
    const asThree = await recognizer.readNumber(drawn.image, { digits: 3 });
    expect(asThree.text).toHaveLength(3);
    expect((await recognizer.readNumber(drawn.image, { digits: { min: 2, max: 4 } })).text).toHaveLength(3);
    const impossible = await recognizer.readNumber(drawn.image, { digits: 12 });
    expect(impossible.confidence).toBe(0);
  });

  it('gives the typed errors predict gives, and checks its options', async () => {
    await expectCode(recognizer.readNumber(blankCanvas()), 'EMPTY_IMAGE');
    await expectCode(
      recognizer.readNumber({ data: new Uint8ClampedArray(7), width: 3, height: 3 }),
      'INVALID_IMAGE',
    );
    const drawn = mnistNumber(0, 2, 'separate', 4);
    for (const digits of [0, 1.5, { min: 3, max: 2 }, 40]) {
      await expectCode(recognizer.readNumber(drawn.image, { digits }), 'INVALID_OPTIONS');
    }
  });

  it('leaves no tensors behind', async () => {
    const drawn = mnistNumber(200, 4, 'touching', 5);
    await expectNoLeakedTensors(() => recognizer.readNumber(drawn.image));
  });
});

describe('correctNumber', () => {
  it('makes each misread digit an ordinary correction, and the drawing then reads as corrected', async () => {
    const own = await createRecognizer();
    try {
      const corrections: number[] = [];
      own.on('correction', ({ label }) => corrections.push(label));
      const drawn = mnistNumber(400, 4, 'separate', 6);
      const before = await own.readNumber(drawn.image);
      expect(before.text).toHaveLength(4);
      // Say it is another number of the same length: every digit differs from the reading.
      const wanted = [...before.text].map((c) => String((Number(c) + 1) % 10)).join('');
      const { ids } = await own.correctNumber(drawn.image, wanted);
      expect(ids).toHaveLength(4);
      expect(corrections).toEqual([...wanted].map(Number));
      expect(await own.store.count()).toBe(4);
      expect((await own.readNumber(drawn.image)).text).toBe(wanted);
      // A number read right makes no correction.
      expect((await own.correctNumber(drawn.image, wanted)).ids).toEqual([]);
    } finally {
      own.dispose();
    }
  });

  it('refuses a number the drawing cannot be split into, with the boxes it found', async () => {
    const drawn = mnistNumber(500, 2, 'separate', 7);
    const error = await recognizer.correctNumber(drawn.image, '1234567890123').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NumberLengthMismatchError);
    if (!isCrazyDigitsError(error, 'NUMBER_LENGTH_MISMATCH')) throw new Error('unreachable');
    const mismatch = error as NumberLengthMismatchError;
    expect(mismatch.expected).toBe(13);
    expect(mismatch.boxes.length).toBeGreaterThan(0);
    expect(await recognizer.store.count()).toBe(0);
  });

  it('refuses text that is not a number, storing nothing', async () => {
    const drawn = mnistNumber(520, 2, 'separate', 8);
    for (const text of ['', '12a', ' 12', '-1', '1.5']) {
      await expectCode(recognizer.correctNumber(drawn.image, text), 'INVALID_CORRECTION');
    }
    expect(await recognizer.store.count()).toBe(0);
  });
});

describe.skipIf(!existsSync(PEN_DATA))(
  `readNumber on real writers' pen digits${existsSync(PEN_DATA) ? '' : ` (skipped: no real-writer data at ${PEN_DATA})`}`,
  () => {
    /** Number `n` of a run: `length` consecutive digits of a held-out writer, drawn with `random`. */
    const heldOutNumbers = () => {
      const digits = loadPenDigits(PEN_DATA);
      const writers = byWriter(digits);
      const { heldOut } = splitWriters(digits);
      return (n: number, length: number, spacing: 'separate' | 'touching', random: () => number) => {
        const own = writers.get(heldOut[n % heldOut.length] ?? '') ?? [];
        const start = Math.floor(random() * Math.max(1, own.length - length));
        return drawPenNumber(own.slice(start, start + length), {
          spacing,
          background: n % 2 === 0 ? 'dark-on-white' : 'transparent',
          random,
        });
      };
    };

    // Floors well under what these 60 numbers read (separate 59, touching 56 of 60 on wasm).
    it.each([
      ['separate', 0.85],
      ['touching', 0.8],
    ] as const)(
      'reads numbers of %s digits by writers it was not trained on (floor %s on 60)',
      async (spacing, floor) => {
        const numberOf = heldOutNumbers();
        const random = seededRandom(2026);
        let whole = 0;
        for (let n = 0; n < 60; n++) {
          const drawn = numberOf(n, 2 + (n % 5), spacing, random);
          if ((await recognizer.readNumber(drawn.image)).text === drawn.text) whole++;
        }
        expect(whole / 60).toBeGreaterThanOrEqual(floor);
      },
      // Touching numbers are cut and read again: a few seconds for 60, more on a busy machine.
      30_000,
    );

    it('cuts touching digits into pieces no smaller than a speck', () => {
      const numberOf = heldOutNumbers();
      const random = seededRandom(7);
      let pieces = 0;
      for (let n = 0; n < 40; n++) {
        const drawn = numberOf(n, 4, 'touching', random);
        const segmentation = segment(readInk(drawn.image, 4096) as InkMap);
        if (!segmentation) throw new Error('a drawn number has ink');
        const atoms = atomsOf(segmentation, new Set(segmentation.shapes.keys()), CUT_MIN_WIDTH_FORCED);
        for (const atom of atoms.filter((a) => a.pieces > 1)) {
          pieces++;
          expect(Math.max(atom.box.width, atom.box.height)).toBeGreaterThanOrEqual(
            0.25 * segmentation.lineHeight,
          );
        }
      }
      expect(pieces).toBeGreaterThan(40);
    });
  },
);
