import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionMemory,
  createCorrectionMemory,
  type SimilarityRow,
  standingOf,
} from '../src/recognizer/correction-memory.js';
import { disputedCorrections } from '../src/retrain/agreement.js';

const uniform = new Array<number>(10).fill(0.1);
const model = [0.02, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01];
const readsFour = [0.01, 0.01, 0.01, 0.01, 0.91, 0.01, 0.01, 0.01, 0.01, 0.01];

const unitOf = (a: number, b: number, c: number) => {
  const norm = Math.hypot(a, b, c) || 1;
  return Float32Array.of(a / norm, b / norm, c / norm);
};

/** Random adds and removes: an id, a direction, a label up to `maxLabel` and what to do. */
const memoryOperations = <T>(maxLabel: number, action: fc.Arbitrary<T>, maxLength: number) =>
  fc.array(
    fc.tuple(
      fc.integer({ min: 0, max: 11 }),
      fc.float({ min: -1, max: 1, noNaN: true }),
      fc.float({ min: -1, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: maxLabel }),
      action,
    ),
    { maxLength },
  );

describe('correction memory', () => {
  it('counts a correction only where it out-matches known-good examples of other digits (rehearsal digits)', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    // An ordinary 1 sits at angle 0; a writer's odd glyph, corrected to 7, sits close to it.
    memory.setRehearsal([at(0)], [1]);
    memory.add('odd-seven', at(0.45), 7);
    const ordinaryOne = memory.adjust(at(0.02), model);
    expect(ordinaryOne.indexOf(Math.max(...ordinaryOne))).toBe(1);
    expect(ordinaryOne).toEqual(model);
    const sameGlyph = memory.adjust(at(0.45), model);
    expect(sameGlyph.indexOf(Math.max(...sameGlyph))).toBe(7);
    expect(sameGlyph[7]).toBeCloseTo(1, 6);
    const nearGlyph = memory.adjust(at(0.44), model);
    expect(nearGlyph.indexOf(Math.max(...nearGlyph))).toBe(7);
  });

  it('lets an unfitted correction reach only drawings clearly closer to it than to the rehearsal digits, a new one a little further', () => {
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    const memoryWith = (standing: 'new' | 'unfitted', glyph = 0.6) => {
      const memory = createCorrectionMemory({ threshold: 0.85 });
      memory.setRehearsal([at(0)], [1]);
      memory.add('odd-seven', at(glyph), 7, standing);
      return memory;
    };
    const winner = (probabilities: number[]) => probabilities.indexOf(Math.max(...probabilities));
    // Closer to the ordinary 1 than to the corrected glyph, but within the new one's margin.
    const nearerTheOne = at(0.29);
    expect(winner(memoryWith('new').adjust(nearerTheOne, model))).toBe(7);
    expect(memoryWith('unfitted').adjust(nearerTheOne, model)).toEqual(model);
    // Closer to the corrected glyph, but not clearly: still only the new one reaches it.
    expect(winner(memoryWith('new').adjust(at(0.32), model))).toBe(7);
    expect(memoryWith('unfitted').adjust(at(0.32), model)).toEqual(model);
    // Clearly closer to the corrected glyph: both reach it; the glyph itself is decided by either.
    expect(winner(memoryWith('unfitted').adjust(at(0.55), model))).toBe(7);
    expect(memoryWith('unfitted').adjust(at(0.6), model)[7]).toBeCloseTo(1, 6);
    // The ordinary 1 itself (its rehearsal digit all but identical) is never reached by the unfitted one.
    expect(memoryWith('unfitted', 0.3).adjust(at(0), model)).toEqual(model);
  });

  it("counts the user's own confident readings of other digits as rivals, like the rehearsal digits", () => {
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    const readAsOne = [0.01, 0.95, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0, 0.0, 0.01];
    const winner = (probabilities: number[]) => probabilities.indexOf(Math.max(...probabilities));
    const withCorrection = () => {
      const memory = createCorrectionMemory({ threshold: 0.85 });
      // The rehearsal digits are far from this user's glyphs: they do not stop the correction.
      memory.setRehearsal([at(1.5)], [1]);
      memory.add('odd-seven', at(0.45), 7);
      return memory;
    };
    const alone = withCorrection();
    expect(winner(alone.adjust(at(0.05), model))).toBe(7);
    // The same user had a drawing at 0 read confidently as 1 and left it: the drawing at 0.05 is
    // far closer to that 1 than to the corrected glyph, so it stays a 1.
    const memory = withCorrection();
    memory.noteReading(at(0), readAsOne);
    expect(memory.adjust(at(0.05), model)).toEqual(model);
    // Drawings closer to the corrected glyph than that reading still follow the correction.
    expect(winner(memory.adjust(at(0.3), model))).toBe(7);
    // An unsure reading is no rival: the user may yet correct it. (As one of the user's digits it
    // would decide a drawing far closer to it than to the correction; at 0.1 it is not.)
    const unsure = withCorrection();
    unsure.noteReading(at(0), [0.05, 0.5, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.05, 0.05]);
    expect(winner(unsure.adjust(at(0.1), model))).toBe(7);
    const sure = withCorrection();
    sure.noteReading(at(0), readAsOne);
    expect(sure.adjust(at(0.1), model)).toEqual(model);
    // A reading of the corrected digit itself is no rival.
    const agreeing = withCorrection();
    agreeing.noteReading(at(0), [0.01, 0.01, 0.01, 0.01, 0.01, 0.0, 0.0, 0.94, 0.0, 0.01]);
    expect(winner(agreeing.adjust(at(0.05), model))).toBe(7);
  });

  it("lets a correction of an unsure reading reach no drawing closer to the user's own reading of another digit; an override of a sure one a little past it", () => {
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    const readAsOne = [0.01, 0.95, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0, 0.0, 0.01];
    const winner = (probabilities: number[]) => probabilities.indexOf(Math.max(...probabilities));
    const withCorrection = (standing: 'new' | 'overriding') => {
      const memory = createCorrectionMemory({ threshold: 0.85 });
      memory.setRehearsal([at(1.5)], [1]);
      memory.noteReading(at(0), readAsOne);
      memory.add('odd-seven', at(0.45), 7, standing);
      return memory;
    };
    // A little closer to the user's 1 (0.98 alike) than to the corrected glyph (0.97 alike).
    const between = at(0.2);
    expect(withCorrection('new').adjust(between, model)).toEqual(model);
    expect(winner(withCorrection('overriding').adjust(between, model))).toBe(7);
    // Closer to the corrected glyph than to the 1: both reach it.
    expect(winner(withCorrection('new').adjust(at(0.3), model))).toBe(7);
    // The rehearsal digits bound both alike: without the reading, the new one reaches it too.
    const unread = createCorrectionMemory({ threshold: 0.85 });
    unread.setRehearsal([at(1.5)], [1]);
    unread.add('odd-seven', at(0.45), 7, 'new');
    expect(winner(unread.adjust(between, model))).toBe(7);
  });

  it("reads a drawing as the user's own digit of another label when it is far closer to it than to any of theirs of the label read", () => {
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    const readAs = (digit: number) => Array.from({ length: 10 }, (_, d) => (d === digit ? 0.91 : 0.01));
    const winner = (probabilities: number[]) => probabilities.indexOf(Math.max(...probabilities));
    // The network reads the drawing as a 4, and gives 1 a little.
    const readsFourMaybeOne = [0.01, 0.1, 0.01, 0.01, 0.8, 0.01, 0.02, 0.02, 0.01, 0.01];
    /** A memory holding a correction far from every drawing below, that has read `angle` as `digit`. */
    const corrected = (angle: number, digit: number) => {
      const memory = createCorrectionMemory({ threshold: 0.85 });
      memory.setRehearsal([at(1.5)], [1]);
      memory.add('far-seven', Float32Array.of(0, 0, 1), 7);
      memory.noteReading(at(angle), readAs(digit));
      return memory;
    };
    const drawing = at(0.05);
    // Before any correction the recogniser reads as the network does, whatever it has read.
    const uncorrected = createCorrectionMemory({ threshold: 0.85 });
    uncorrected.noteReading(at(0), readAs(1));
    expect(uncorrected.adjust(drawing, readsFourMaybeOne)).toBe(readsFourMaybeOne);
    // Without a reading of 1 nearby, the network's 4 stands.
    expect(corrected(2, 1).adjust(drawing, readsFourMaybeOne)).toEqual(readsFourMaybeOne);
    // The user left a drawing 0.999 alike read as 1: the drawing reads as 1.
    const memory = corrected(0, 1);
    expect(winner(memory.adjust(drawing, readsFourMaybeOne))).toBe(1);
    // Not when one of their 4s is nearly as close: there the two digits meet, and the reading stands.
    memory.noteReading(at(0.14), readAs(4));
    expect(memory.adjust(drawing, readsFourMaybeOne)).toEqual(readsFourMaybeOne);
    // Nor when the network rules the digit out.
    const sureFour = [0.01, 0.001, 0.019, 0.02, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01];
    expect(corrected(0, 1).adjust(drawing, sureFour)).toEqual(sureFour);
    // Nor when the reading is only loosely alike (0.82).
    expect(corrected(0.65, 1).adjust(drawing, readsFourMaybeOne)).toEqual(readsFourMaybeOne);
    // A correction counts as the user's digit of its label too: a 4 corrected next to the drawing
    // keeps it a 4 against the reading of 1.
    const correctedFour = corrected(0, 1);
    correctedFour.add('own-four', at(0.12), 4);
    expect(winner(correctedFour.adjust(drawing, readsFourMaybeOne))).toBe(4);
    // One a retrain has had does not speak for its label (the retrain drew that line)...
    const consolidated = corrected(2, 3);
    consolidated.add('fitted-one', at(0), 1, 'fitted');
    expect(consolidated.adjust(drawing, readsFourMaybeOne)).toEqual(readsFourMaybeOne);
    // ...but still holds its own drawing against the user's digits of another label.
    const held = corrected(0.02, 1);
    held.add('fitted-four', at(0), 4, 'fitted');
    expect(winner(held.adjust(at(0), readsFourMaybeOne))).toBe(4);
    // So does a disputed one: outvoted by three corrections of 1 around it, it reaches nothing,
    // yet its own drawing reads as corrected.
    const outvoted = corrected(2, 3);
    for (const k of [1, 2, 3]) outvoted.add(`one-${k}`, at(0.05 * k), 1);
    outvoted.add('lie', at(0), 4);
    expect(outvoted.disputed()).toEqual(['lie']);
    expect(winner(outvoted.adjust(at(0), readsFourMaybeOne))).toBe(4);
  });

  it('stands a correction by how the weights read its drawing', () => {
    const readAs = (digit: number, confidence: number) =>
      Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : (1 - confidence) / 9));
    expect(standingOf(readAs(7, 0.6), 7, false)).toBe('fitted');
    expect(standingOf(readAs(7, 0.6), 7, true)).toBe('fitted');
    expect(standingOf(readAs(1, 0.6), 7, false)).toBe('new');
    expect(standingOf(readAs(1, 0.9), 7, false)).toBe('overriding');
    expect(standingOf(readAs(1, 0.9), 7, true)).toBe('unfitted');
    expect(standingOf(readAs(1, 0.6), 7, true)).toBe('unfitted');
  });

  it('drops a reading once that drawing is corrected: it was misread', () => {
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    const readAsOne = [0.01, 0.95, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0, 0.0, 0.01];
    const memoryWith = (noted: boolean) => {
      const memory = createCorrectionMemory({ threshold: 0.85 });
      memory.setRehearsal([at(0)], [1]);
      if (noted) memory.noteReading(at(0.45), readAsOne);
      // Unfitted: it reaches only drawings clearly closer to it than to every rival, so a
      // reading of the very drawing as a 1, were it kept, would leave it nothing but itself.
      memory.add('odd-seven', at(0.45), 7, 'unfitted');
      return memory;
    };
    const near = memoryWith(true).adjust(at(0.42), model);
    expect(near.indexOf(Math.max(...near))).toBe(7);
    expect(near).toEqual(memoryWith(false).adjust(at(0.42), model));
    // Only that reading goes: one noted before it, of another drawing, stays a rival.
    const kept = createCorrectionMemory({ threshold: 0.85 });
    kept.setRehearsal([at(1.5)], [1]);
    kept.noteReading(at(0), readAsOne);
    kept.noteReading(at(0.45), readAsOne);
    kept.add('odd-seven', at(0.45), 7);
    expect(kept.adjust(at(0.05), model)).toEqual(model);
  });

  it('keeps only the latest readings', () => {
    const at = (angle: number) => Float32Array.of(Math.cos(angle), Math.sin(angle), 0);
    const readAs = (digit: number) => Array.from({ length: 10 }, (_, d) => (d === digit ? 0.91 : 0.01));
    const memory = createCorrectionMemory({ threshold: 0.85 });
    memory.setRehearsal([at(1.5)], [1]);
    memory.add('odd-seven', at(0.45), 7);
    memory.noteReading(at(0), readAs(1));
    expect(memory.adjust(at(0.05), model)).toEqual(model);
    // The latest 200 readings are kept: 199 later ones far away leave the 1 at 0 a rival...
    for (let k = 0; k < 199; k++) memory.noteReading(Float32Array.of(0, 0, 1), readAs(3));
    expect(memory.adjust(at(0.05), model)).toEqual(model);
    // ...the 200th pushes it out, and many more change nothing.
    for (let k = 0; k < 1000; k++) memory.noteReading(Float32Array.of(0, 0, 1), readAs(3));
    const after = memory.adjust(at(0.05), model);
    expect(after.indexOf(Math.max(...after))).toBe(7);
  });

  it('ignores corrections their close neighbours outvote (label agreement), and restores them when those go', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    const near = (k: number) => Float32Array.of(1, k * 0.01, 0);
    for (let k = 0; k < 7; k++) memory.add(`honest-${k}`, near(k), 3);
    for (let k = 7; k < 10; k++) memory.add(`flipped-${k}`, near(k), 8);
    expect(memory.disputed().sort()).toEqual(['flipped-7', 'flipped-8', 'flipped-9']);
    // A drawing between them, not a copy of any: the honest majority decides.
    const between = Float32Array.of(1, 0.075, 0.3);
    const adjusted = memory.adjust(between, uniform);
    expect(adjusted.indexOf(Math.max(...adjusted))).toBe(3);
    // The flipped drawing itself (the same input) still gets its own correction.
    const copy = memory.adjust(near(8), uniform);
    expect(copy.indexOf(Math.max(...copy))).toBe(8);
    for (let k = 0; k < 7; k++) memory.remove(`honest-${k}`);
    expect(memory.disputed()).toEqual([]);
    const alone = memory.adjust(between, uniform);
    expect(alone.indexOf(Math.max(...alone))).toBe(8);
  });

  it('holds fitted corrections for label agreement and their own drawing: they pull no other, yet still outvote lies', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    const near = (k: number) => Float32Array.of(1, k * 0.01, 0);
    // Honest corrections the weights already get right (a retrain folded them in).
    for (let k = 0; k < 7; k++) memory.add(`honest-${k}`, near(k), 3, 'fitted');
    // A drawing near them but none of them gets the model's own answer, untouched.
    expect(memory.adjust(Float32Array.of(1, 0.03, 0.05), uniform)).toEqual(uniform);
    // Lies made near them are still disputed, so they reach no other drawing.
    for (let k = 7; k < 10; k++) memory.add(`flipped-${k}`, near(k), 8);
    expect(memory.disputed().sort()).toEqual(['flipped-7', 'flipped-8', 'flipped-9']);
    expect(memory.adjust(Float32Array.of(1, 0.075, 0.3), uniform)).toEqual(uniform);
    // Re-added as new (the weights get it wrong again, e.g. after a rollback), it pulls.
    memory.add('honest-2', near(2), 3);
    const pulled = memory.adjust(near(2), uniform);
    expect(pulled.indexOf(Math.max(...pulled))).toBe(3);
    expect(pulled[3]).toBeCloseTo(1, 6);
  });

  it("keeps a fitted correction's own drawing as corrected where another correction reaches it", () => {
    // The user corrected a 4-like drawing to 7, which then pulled a drawing the network reads
    // right as 4; the user corrected that one back to 4. Reopened (or after a retrain), the
    // second correction is fitted: the network alone reads it so.
    const memory = createCorrectionMemory({ threshold: 0.85 });
    const reachedDrawing = Float32Array.of(1, 0.5, 0);
    memory.add('to-7', Float32Array.of(1, 0, 0), 7);
    const before = memory.adjust(reachedDrawing, readsFour);
    expect(before.indexOf(Math.max(...before))).toBe(7);
    memory.add('back-to-4', reachedDrawing, 4, 'fitted');
    const after = memory.adjust(reachedDrawing, readsFour);
    expect(after.indexOf(Math.max(...after))).toBe(4);
    expect(after[4]).toBeGreaterThan(0.99);
  });

  it("ends a correction's reach before a fitted correction of another label, until that one goes", () => {
    // Corrected to 7, a drawing pulled the next one (the network reads it as 4) to 7; the user
    // corrected that one back to 4, a drawing the network alone reads right: fitted.
    const memory = createCorrectionMemory({ threshold: 0.85 });
    const readAs = (drawing: Float32Array) => {
      const adjusted = memory.adjust(drawing, readsFour);
      return adjusted.indexOf(Math.max(...adjusted));
    };
    const farther = Float32Array.of(1, 0.52, 0); // 0.887 alike to the 7, in its full reach
    const nearer = Float32Array.of(1, 0.2, 0); // 0.981 alike
    memory.add('to-7', Float32Array.of(1, 0, 0), 7);
    expect([readAs(farther), readAs(nearer)]).toEqual([7, 7]);
    memory.add('back-to-4', Float32Array.of(1, 0.5, 0), 4, 'fitted'); // 0.894 alike
    expect([readAs(farther), readAs(nearer)]).toEqual([4, 7]);
    // A fitted correction of the same label bounds nothing.
    memory.add('also-7', Float32Array.of(1, 0.1, 0.3), 7, 'fitted');
    expect(readAs(nearer)).toBe(7);
    memory.remove('back-to-4');
    expect([readAs(farther), readAs(nearer)]).toEqual([7, 7]);
    // Bounds are rebuilt in any order of adds.
    memory.add('back-to-4', Float32Array.of(1, 0.5, 0), 4, 'fitted');
    memory.remove('to-7');
    memory.add('to-7', Float32Array.of(1, 0, 0), 7);
    expect([readAs(farther), readAs(nearer)]).toEqual([4, 7]);
  });

  it('changes nothing while empty or when nothing is close', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    expect(memory.adjust(Float32Array.of(1, 0, 0), model)).toBe(model);
    memory.add('a', Float32Array.of(0, 1, 0), 7);
    expect(memory.adjust(Float32Array.of(1, 0, 0), model)).toEqual(model);
  });

  it('decides alone for the same drawing, even against a confident model', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    memory.add('a', Float32Array.of(3, 1, 2), 7);
    const adjusted = memory.adjust(Float32Array.of(3, 1, 2), model);
    expect(adjusted.indexOf(Math.max(...adjusted))).toBe(7);
    expect(adjusted[7]).toBeCloseTo(1, 6);
  });

  it('lets the closest correction win when similar drawings were corrected differently', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    memory.add('a', Float32Array.of(1, 0.05, 0), 4);
    memory.add('b', Float32Array.of(1, 0, 0), 7);
    const adjusted = memory.adjust(Float32Array.of(1, 0, 0), uniform);
    expect(adjusted.indexOf(Math.max(...adjusted))).toBe(7);
  });

  it('compares centred features', () => {
    const centre = [10, 10, 10];
    const memory = createCorrectionMemory({ threshold: 0.85, featureMean: centre });
    memory.add('a', Float32Array.of(11, 10, 10), 3);
    // Raw, these two point almost the same way; centred, they are orthogonal.
    expect(memory.adjust(Float32Array.of(10, 11, 10), model)).toEqual(model);
    expect(memory.adjust(Float32Array.of(12, 10, 10), model)[3]).toBeCloseTo(1, 6);
  });

  it('forgets everything on clear, and takes new corrections afterwards', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    for (let k = 0; k < 20; k++) memory.add(`old-${k}`, Float32Array.of(1, k * 0.1, 0), 4);
    memory.clear();
    expect(memory.size).toBe(0);
    expect(memory.has('old-0')).toBe(false);
    expect(memory.adjust(Float32Array.of(1, 0, 0), model)).toBe(model);
    memory.add('new', Float32Array.of(0, 1, 0), 7);
    expect(memory.adjust(Float32Array.of(0, 1, 0), model)[7]).toBeCloseTo(1, 6);
    expect(memory.adjust(Float32Array.of(1, 0, 0), model)).toEqual(model);
  });

  it('always returns probabilities that sum to 1, and forgets removed corrections', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.float({ min: -1, max: 1, noNaN: true }),
            fc.float({ min: -1, max: 1, noNaN: true }),
            fc.integer({ min: 0, max: 9 }),
          ),
          { maxLength: 20 },
        ),
        fc.tuple(fc.float({ min: -1, max: 1, noNaN: true }), fc.float({ min: -1, max: 1, noNaN: true })),
        (corrections, [x, y]) => {
          const memory = createCorrectionMemory({ threshold: 0.5 });
          corrections.forEach(([a, b, label], i) => {
            memory.add(String(i), Float32Array.of(a, b), label);
          });
          const adjusted = memory.adjust(Float32Array.of(x, y), model);
          expect(adjusted.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
          expect(adjusted.every((p) => p >= 0)).toBe(true);
          for (const [i] of corrections.entries()) memory.remove(String(i));
          expect(memory.size).toBe(0);
        },
      ),
    );
  });

  it('keeps its label-agreement verdicts equal to a from-scratch count through any adds and removes', () => {
    fc.assert(
      fc.property(memoryOperations(2, fc.boolean(), 60), (operations) => {
        const memory = createCorrectionMemory({ threshold: 0.85 });
        const kept = new Map<string, { feature: Float32Array; label: number }>();
        for (const [id, a, b, label, add] of operations) {
          if (add) {
            const feature = unitOf(1, a, b);
            memory.add(String(id), feature, label);
            kept.set(String(id), { feature, label });
          } else {
            expect(memory.remove(String(id))).toBe(kept.delete(String(id)));
          }
        }
        const names = [...kept.keys()];
        const expected = disputedCorrections(
          names.map((name) => kept.get(name)?.feature ?? new Float32Array(3)),
          names.map((name) => kept.get(name)?.label ?? 0),
        );
        expect(memory.size).toBe(kept.size);
        expect(memory.disputed().sort()).toEqual(names.filter((_, i) => expected.has(i)).sort());
      }),
    );
  });

  it('adjusts after any adds and removes as a memory made from the corrections left', () => {
    const unit = (a: number, b: number) => unitOf(1, a, b);
    const probes = [unit(0, 0), unit(0.3, 0), unit(0, 0.3), unit(-0.4, 0.2), unit(0.5, 0.5)];
    fc.assert(
      fc.property(
        memoryOperations(3, fc.constantFrom('new' as const, 'fitted' as const, 'remove' as const), 40),
        (operations) => {
          const memory = createCorrectionMemory({ threshold: 0.85 });
          const kept = new Map<
            string,
            { feature: Float32Array; label: number; standing: 'new' | 'fitted' }
          >();
          for (const [id, a, b, label, action] of operations) {
            if (action === 'remove') {
              memory.remove(String(id));
              kept.delete(String(id));
            } else {
              memory.add(String(id), unit(a, b), label, action);
              kept.delete(String(id));
              kept.set(String(id), { feature: unit(a, b), label, standing: action });
            }
          }
          const fresh = createCorrectionMemory({ threshold: 0.85 });
          for (const [id, { feature, label, standing }] of kept) fresh.add(id, feature, label, standing);
          for (const probe of probes) {
            const got = memory.adjust(probe, readsFour);
            const want = fresh.adjust(probe, readsFour);
            got.forEach((p, digit) => {
              expect(p).toBeCloseTo(want[digit] ?? Number.NaN, 5);
            });
          }
        },
      ),
    );
  });
});

describe('correction memory on the backend', () => {
  const at = (angle: number, lift = 0) => Float32Array.of(Math.cos(angle), Math.sin(angle), lift);
  /** The memory's similarity row for `feature`, as a prediction's backend pass makes it. */
  const rowFor = (memory: CorrectionMemory, feature: Float32Array): SimilarityRow | undefined => {
    const batch = tf.tensor2d(feature, [1, feature.length]);
    const made = memory.similarities(batch);
    batch.dispose();
    if (!made) return undefined;
    const values = Float32Array.from(made.values.dataSync());
    made.values.dispose();
    return { values, source: made.source, generation: made.generation };
  };

  it('predicts the same from a row of backend similarities as from its own comparison', () => {
    const memory = createCorrectionMemory({ threshold: 0.85, featureMean: [0.1, -0.1, 0] });
    memory.setRehearsal([at(0), at(1.2), at(2.4)], [1, 5, 9]);
    memory.add('seven', at(0.5), 7);
    memory.add('four', at(0.7), 4, 'unfitted');
    memory.add('two', at(2), 2);
    for (const angle of [0.45, 0.5, 0.65, 0.7, 1.9, 2.05, 3]) {
      const drawing = at(angle, 0.05);
      const row = rowFor(memory, drawing);
      expect(row?.values).toHaveLength(6);
      const fromRow = memory.adjust(drawing, uniform, row);
      const own = memory.adjust(drawing, uniform);
      fromRow.forEach((p, digit) => {
        expect(p).toBeCloseTo(own[digit] ?? Number.NaN, 5);
      });
    }
  });

  it('takes corrections added after a row was made into account, and ignores a row made before a removal', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    memory.add('seven', at(0.5), 7);
    memory.add('four', at(1.5), 4);
    const drawing = at(0.5);
    const beforeAdd = rowFor(memory, drawing);
    memory.add('two', at(1.5), 2);
    const added = memory.adjust(drawing, uniform, beforeAdd);
    expect(added).toEqual(memory.adjust(drawing, uniform));
    expect(added.indexOf(Math.max(...added))).toBe(7);

    const beforeRemoval = rowFor(memory, drawing);
    memory.remove('seven');
    // The seven's row is gone and another took its place: the row no longer lines up.
    expect(memory.adjust(drawing, uniform, beforeRemoval)).toEqual(uniform);
  });

  it("counts neighbours the same when given each correction's own row of similarities", () => {
    const features = Array.from({ length: 12 }, (_, k) => at(k * 0.04, k % 3 === 0 ? 0.1 : 0));
    const labels = features.map((_, k) => (k < 8 ? 3 : 8));
    const plain = createCorrectionMemory({ threshold: 0.85 });
    const withRows = createCorrectionMemory({ threshold: 0.85 });
    features.forEach((feature, k) => {
      plain.add(String(k), feature, labels[k] ?? 0);
      withRows.add(String(k), feature, labels[k] ?? 0, 'new', rowFor(withRows, feature));
    });
    expect(withRows.disputed().sort()).toEqual(plain.disputed().sort());
    expect(plain.disputed()).not.toEqual([]);
  });

  it('makes no similarities while it remembers nothing', () => {
    const memory = createCorrectionMemory({ threshold: 0.85 });
    memory.setRehearsal([at(0)], [1]);
    expect(rowFor(memory, at(0))).toBeUndefined();
  });

  it('frees all it holds on the backend on dispose, and still adjusts', () => {
    const baseline = tf.memory().numTensors;
    const memory = createCorrectionMemory({ threshold: 0.85, featureMean: [0.1, 0, 0] });
    memory.add('seven', at(0.5), 7);
    const before = memory.adjust(at(0.5), model);
    expect(rowFor(memory, at(0.5))).toBeDefined();
    expect(tf.memory().numTensors).toBeGreaterThan(baseline);
    memory.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    expect(rowFor(memory, at(0.5))).toBeUndefined();
    expect(tf.memory().numTensors).toBe(baseline);
    expect(memory.adjust(at(0.5), model)).toEqual(before);
  });
});
