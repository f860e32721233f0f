import { createRecognizer } from '@crazy-digits/core';
import { describe, expect, it } from 'vitest';
import { createWriter, glyphVariants, type WriterImage } from '../src/index.js';

/** Byte-for-byte equality, fast on canvas-sized arrays (a deep `toEqual` on them is slow). */
const samePixels = (a: WriterImage | undefined, b: WriterImage | undefined) =>
  a !== undefined && b !== undefined && Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer));

/** Pixels darker than mid-grey: the ink of a dark-on-white drawing. */
const inkPixels = (image: WriterImage) => {
  let count = 0;
  for (let i = 0; i < image.data.length; i += 4) if ((image.data[i] ?? 255) < 128) count++;
  return count;
};

describe('createWriter', () => {
  it('is deterministic: the same seeds give the same style and pixels', () => {
    const a = createWriter(3);
    const b = createWriter(3);
    expect(b.style).toEqual(a.style);
    expect(samePixels(b.draw(7, 11), a.draw(7, 11))).toBe(true);
    const streamA = a.stream(5, 2);
    const streamB = b.stream(5, 2);
    expect(streamB.map((s) => s.digit)).toEqual(streamA.map((s) => s.digit));
    streamA.forEach((sample, i) => {
      expect(samePixels(streamB[i]?.image, sample.image)).toBe(true);
    });
  });

  it('gives different writers different styles, and each sample its own jitter', () => {
    const styles = Array.from({ length: 8 }, (_, seed) => createWriter(seed).style);
    expect(new Set(styles.map((s) => s.slant)).size).toBe(8);
    expect(new Set(styles.map((s) => s.glyphs.join(' '))).size).toBeGreaterThan(6);
    for (const style of styles) {
      style.glyphs.forEach((name, digit) => {
        expect(glyphVariants[digit]).toContain(name);
      });
    }
    const writer = createWriter(1);
    expect(samePixels(writer.draw(4, 1), writer.draw(4, 2))).toBe(false);
    expect(samePixels(createWriter(2).draw(4, 1), writer.draw(4, 1))).toBe(false);
  });

  it('draws every digit as anti-aliased dark strokes on an opaque white 280x280 canvas', () => {
    const writer = createWriter(5);
    for (let digit = 0; digit < 10; digit++) {
      const image = writer.draw(digit, digit);
      expect(image.width).toBe(280);
      expect(image.height).toBe(280);
      expect(image.data.length).toBe(280 * 280 * 4);
      // A stroke, not a dot or a flood: between 0.3% and 25% of the canvas.
      expect(inkPixels(image)).toBeGreaterThan(250);
      expect(inkPixels(image)).toBeLessThan(0.25 * 280 * 280);
      expect(image.data.filter((_, i) => i % 4 === 3).every((alpha) => alpha === 255)).toBe(true);
      expect([image.data[0], image.data[1], image.data[2]]).toEqual([255, 255, 255]);
      const greys = image.data.filter((v, i) => i % 4 === 0 && v > 60 && v < 200);
      expect(greys.length).toBeGreaterThan(0);
    }
  });

  it('streams all ten digits with their labels and rejects non-digits', () => {
    const samples = createWriter(0).stream(200, 1);
    expect(samples).toHaveLength(200);
    expect(new Set(samples.map((s) => s.digit))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    for (const bad of [-1, 10, 1.5]) expect(() => createWriter(0).draw(bad, 1)).toThrow(RangeError);
  });

  it('stays legible to the shipped model for a clear majority of digits', async () => {
    const recognizer = await createRecognizer();
    try {
      let right = 0;
      let total = 0;
      for (let seed = 0; seed < 8; seed++) {
        const samples = createWriter(seed).stream(50, 7);
        const predictions = await recognizer.predictBatch(samples.map((s) => s.image));
        right += predictions.filter((p, i) => p.digit === samples[i]?.digit).length;
        total += samples.length;
      }
      expect(right / total).toBeGreaterThanOrEqual(0.55);
    } finally {
      recognizer.dispose();
    }
  });
});
