import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../../src/backend/index.js';
import { seededRandom as mulberry32, type Random } from '../../src/training/random.js';
import { checkAgainstCpu, type HostTensor, randomTensor } from './harness.js';

/** fast-check runs per kernel; CRAZY_DIGITS_KERNEL_RUNS raises it for a deeper local check. */
const RUNS = Number(process.env.CRAZY_DIGITS_KERNEL_RUNS ?? 100);

const OVERRIDDEN = ['Sum', 'Mean', 'Multiply', 'Add', 'Sub', 'RealDiv', 'FusedBatchNorm', 'Identity', 'Cast'];

/** Uniform values in [lo, hi). */
function uniform(shape: number[], rand: Random, lo: number, hi: number): HostTensor {
  const t = randomTensor(shape, rand);
  for (let i = 0; i < t.values.length; i++)
    t.values[i] = lo + (((t.values[i] as number) + 1) / 2) * (hi - lo);
  return t;
}

/**
 * Shapes small enough for the JS paths and the fallbacks, and NHWC activations large enough
 * for the XNNPACK paths (up to the compact model's at batch 128).
 */
const shapeArb = fc.oneof(
  { weight: 2, arbitrary: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(16, 64, 128),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 33 }),
      )
      .map((s) => [...s]),
  },
);

/** A contiguous block of axes (the fast path; negative spellings too), any subset, or null. */
function axisArb(rank: number): fc.Arbitrary<number | number[] | null> {
  const block = fc
    .tuple(fc.nat(rank - 1), fc.nat(rank - 1), fc.boolean())
    .map(([a, b, negative]) =>
      Array.from({ length: Math.abs(a - b) + 1 }, (_, i) => Math.min(a, b) + i - (negative ? rank : 0)),
    );
  const subset = fc.subarray(
    Array.from({ length: rank }, (_, i) => i),
    { minLength: 1 },
  );
  return fc.oneof({ weight: 4, arbitrary: block }, subset, fc.nat(rank - 1), fc.constant(null));
}

const reduceCase = shapeArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axis: axisArb(shape.length),
    keepDims: fc.boolean(),
    dtype: fc.constantFrom<'float32' | 'int32'>('float32', 'float32', 'float32', 'int32'),
    seed: fc.nat(),
  }),
);

/**
 * Two operand shapes: a tensor and a per-channel operand ([C] or [1,..,1,C], sometimes of
 * higher rank), or a trailing block ([W,C]); or fallbacks: a scalar, the same shape, a
 * broadcast along middle or last axes, a broadcast of both operands.
 */
const binaryCase = shapeArb.chain((shape) => {
  const rank = shape.length;
  const last = shape[rank - 1] as number;
  const withFull = (other: number[]): [number[], number[]] => [shape, other];
  const shapes = fc.oneof(
    fc.constant(withFull([last])),
    fc.integer({ min: 1, max: 5 }).map((r) => withFull([...Array<number>(r - 1).fill(1), last])),
    fc.constant(withFull(shape.slice(-2))),
    fc.constant(withFull([])),
    fc.constant(withFull(shape)),
    fc.constant(withFull(shape.map((d, i) => (i === 0 || i === rank - 1 ? d : 1)))),
    fc.constant(withFull(shape.map((d, i) => (i === rank - 1 ? 1 : d)))),
    fc.constant<[number[], number[]]>([[...shape.slice(0, -1), 1], [last]]),
  );
  return fc.record({
    shapes,
    op: fc.constantFrom('Multiply', 'Add', 'Sub', 'RealDiv'),
    swap: fc.boolean(),
    int: fc.constantFrom(false, false, true),
    seed: fc.nat(),
  });
});

const batchNormCase = shapeArb
  .filter((s) => s.length >= 2)
  .chain((shape) => {
    const c = shape[shape.length - 1] as number;
    const divisors = Array.from({ length: c }, (_, i) => i + 1).filter((d) => c % d === 0);
    return fc.record({
      shape: fc.constant(shape),
      paramSize: fc.constantFrom(...divisors),
      paramRank: fc.constantFrom(1, shape.length),
      withScale: fc.boolean(),
      withOffset: fc.boolean(),
      epsilon: fc.constantFrom(1e-3, 1e-5, 0.1),
      seed: fc.nat(),
    });
  });

const properties: Array<[string, () => Promise<void>]> = [
  [
    'Sum and Mean',
    () =>
      fc.assert(
        fc.asyncProperty(reduceCase, async ({ shape, axis, keepDims, dtype, seed }) => {
          // No axis attribute means every axis, as tfjs's own `axis = null` does.
          const attrs: tf.NamedAttrMap = axis === null ? { keepDims } : { axis, keepDims };
          const x = randomTensor(shape, mulberry32(seed), dtype);
          // Both backends sum in float32 at some stage, and terms of either sign cancel: the
          // rounding error of a sum scales with the sum of the magnitudes of its terms, not with
          // the result (a sum of 326,144 terms in (-1, 1) came out as 3.0445 on wasm and 3.0418
          // on cpu). Allowed: float32's epsilon times that magnitude, per output on average. A
          // dropped or doubled row would still miss by orders of magnitude more.
          const reduced = (axis === null ? shape.map((_, i) => i) : [axis].flat()).map((a) =>
            a < 0 ? a + shape.length : a,
          );
          const count = reduced.reduce((n, a) => n * (shape[a] ?? 1), 1);
          let magnitude = 0;
          for (const v of x.values) magnitude += Math.abs(v);
          const perOutput = (magnitude * count) / Math.max(1, x.values.length);
          for (const name of ['Sum', 'Mean']) {
            const slack = (1.2e-7 * perOutput) / (name === 'Mean' ? count : 1);
            await checkAgainstCpu(name, { x }, attrs, undefined, dtype === 'float32' ? slack : 0);
          }
        }),
        { numRuns: RUNS },
      ),
  ],
  [
    'Multiply, Add, Sub and RealDiv',
    () =>
      fc.assert(
        fc.asyncProperty(binaryCase, async ({ shapes: [xShape, yShape], op, swap, int, seed }) => {
          const r = mulberry32(seed);
          const dtype = int && op !== 'RealDiv' ? 'int32' : 'float32';
          const x = randomTensor(xShape, r, dtype);
          // Divisors away from zero keep the quotients within float32's comfortable range.
          const y = op === 'RealDiv' ? uniform(yShape, r, 0.5, 2) : randomTensor(yShape, r, dtype);
          await checkAgainstCpu(op, swap ? { a: y, b: x } : { a: x, b: y }, {});
        }),
        { numRuns: RUNS },
      ),
  ],
  [
    'FusedBatchNorm',
    () =>
      fc.assert(
        fc.asyncProperty(batchNormCase, async (c) => {
          const r = mulberry32(c.seed);
          const paramShape = [...Array<number>(c.paramRank - 1).fill(1), c.paramSize];
          const inputs: Record<string, HostTensor> = {
            x: uniform(c.shape, r, -3, 5),
            mean: uniform(paramShape, r, -1, 2),
            variance: uniform(paramShape, r, 0.1, 4),
          };
          if (c.withScale) inputs.scale = randomTensor(paramShape, r);
          if (c.withOffset) inputs.offset = randomTensor(paramShape, r);
          await checkAgainstCpu('FusedBatchNorm', inputs, { varianceEpsilon: c.epsilon });
        }),
        { numRuns: RUNS },
      ),
  ],
  [
    'Identity and Cast',
    () =>
      fc.assert(
        fc.asyncProperty(
          shapeArb,
          fc.constantFrom<'float32' | 'int32'>('float32', 'int32'),
          // Not bool: stock wasm casts to bool by truncation (0.5 -> false), unlike cpu.
          fc.constantFrom<'float32' | 'int32'>('float32', 'int32'),
          fc.nat(),
          async (shape, dtype, castTo, seed) => {
            const x = randomTensor(shape, mulberry32(seed), dtype);
            await checkAgainstCpu('Identity', { x }, {});
            await checkAgainstCpu('Cast', { x }, { dtype: castTo });
          },
        ),
        { numRuns: RUNS },
      ),
  ],
];

function wasmBackend(): BackendWasm {
  return tf.engine().backend as BackendWasm;
}

describe('wasm batch-norm kernels match the cpu backend', () => {
  const stock = new Map<string, tf.KernelConfig | undefined>();

  beforeAll(async () => {
    // PROD keeps the cpu backend's Node banner out of the test log.
    tf.env().set('PROD', true);
    await tf.setBackend('wasm');
    for (const name of OVERRIDDEN) stock.set(name, tf.getKernel(name, 'wasm'));
    registerWasmTrainingKernels();
  });

  for (const [name, check] of properties) {
    it(`${name}: within 1e-4 relative error, no leaked tensors or wasm buffers`, check, 120_000);
  }

  it("the model's reductions, with a large common offset (float32 partial sums stay short)", async () => {
    const r = mulberry32(7);
    const allButLast = [0, 1, 2];
    for (const { shape, axis } of [
      { shape: [128, 28, 28, 16], axis: allButLast },
      { shape: [128, 14, 14, 32], axis: allButLast },
      { shape: [128, 7, 7, 64], axis: allButLast },
      { shape: [128, 7, 7, 64], axis: [1, 2] },
      { shape: [256, 28, 28, 16], axis: allButLast }, // more wide rows than one window takes
      { shape: [8209, 3], axis: [0] }, // a prime row count: no pooling view, the JS loop
    ]) {
      const x = uniform(shape, r, 99, 101);
      for (const keepDims of [false, true]) {
        await checkAgainstCpu('Sum', { x }, { axis, keepDims });
        await checkAgainstCpu('Mean', { x }, { axis, keepDims });
      }
    }
  }, 120_000);

  it("the model's per-channel products, both operand orders, and a row count with no divisor", async () => {
    const r = mulberry32(8);
    for (const [shape, c] of [
      [[128, 28, 28, 16], 16],
      [[128, 14, 14, 32], 32],
      [[128, 7, 7, 64], 64],
      [[16411, 2], 2],
    ] as Array<[number[], number]>) {
      const x = randomTensor(shape, r);
      for (const other of [[c], [1, 1, 1, c]]) {
        const y = randomTensor(other, r);
        for (const op of ['Multiply', 'Sub']) {
          await checkAgainstCpu(op, { a: x, b: y }, {});
          await checkAgainstCpu(op, { a: y, b: x }, {});
        }
      }
    }
  }, 120_000);

  it('Identity and Cast share the buffer: each result outlives its input and frees it last', () => {
    const buffers = wasmBackend().numDataIds();
    const x = tf.tensor([1, 2, 3]);
    const copy = tf.clone(x);
    const same = x.cast('float32');
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3]);
    expect(wasmBackend().numDataIds()).toBe(buffers + 1);
    same.dispose();
    expect(wasmBackend().numDataIds()).toBe(buffers);
    const strings = tf.tensor(['a', 'bc']);
    const cloned = tf.clone(strings);
    expect(cloned.arraySync()).toEqual(['a', 'bc']);
    tf.dispose([strings, cloned]);
  });

  it('repeated calls leave the wasm heap and buffer count where they were', () => {
    const r = mulberry32(9);
    const x = tf.tensor4d(uniform([64, 14, 14, 32], r, -1, 1).values, [64, 14, 14, 32]);
    const v = tf.tensor1d(uniform([32], r, 0.5, 1.5).values);
    const once = () =>
      tf.tidy(() => {
        tf.sum(x, [0, 1, 2]);
        tf.mean(x, [1, 2]);
        tf.mul(x, v);
        tf.sub(v.reshape([1, 1, 1, 32]), x);
        tf.batchNorm4d(x, v, v, v, v);
        tf.clone(x);
      });
    once();
    const heap = wasmBackend().wasm.HEAPU8.length;
    const buffers = wasmBackend().numDataIds();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) once();
    expect(wasmBackend().wasm.HEAPU8.length).toBe(heap);
    expect(wasmBackend().numDataIds()).toBe(buffers);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, v]);
  });

  it("Mean's gradient without a ones tensor: bit-for-bit the stock gradient, no leaked tensors", async () => {
    const ours = tf.getGradient('Mean');
    await fc.assert(
      fc.asyncProperty(reduceCase, async ({ shape, axis, keepDims, seed }) => {
        const x = tf.tensor(randomTensor(shape, mulberry32(seed)).values, shape);
        const grad = tf.grad((input: tf.Tensor) => tf.mean(input, axis ?? undefined, keepDims));
        const tensors = tf.memory().numTensors;
        const fast = grad(x);
        restoreStockWasmKernels();
        const slow = grad(x);
        registerWasmTrainingKernels();
        expect(Array.from(await fast.data())).toEqual(Array.from(await slow.data()));
        expect(fast.shape).toEqual(shape);
        tf.dispose([fast, slow]);
        expect(tf.memory().numTensors).toBe(tensors);
        x.dispose();
      }),
      { numRuns: RUNS, seed: 11 },
    );
    expect(tf.getGradient('Mean')).toBe(ours);
  }, 120_000);

  it('restoreStockWasmKernels puts each stock kernel back, setupFunc included', () => {
    const meanGradient = tf.getGradient('Mean');
    for (const name of OVERRIDDEN) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc, name).not.toBe(stock.get(name)?.kernelFunc);
    }
    restoreStockWasmKernels();
    for (const name of OVERRIDDEN) {
      const kernel = tf.getKernel(name, 'wasm');
      expect(kernel?.kernelFunc, name).toBe(stock.get(name)?.kernelFunc);
      expect(kernel?.setupFunc, name).toBe(stock.get(name)?.setupFunc);
    }
    expect(tf.getGradient('Mean')).not.toBe(meanGradient);
    registerWasmTrainingKernels();
    expect(tf.getKernel('Sum', 'wasm')?.kernelFunc).not.toBe(stock.get('Sum')?.kernelFunc);
    expect(tf.getGradient('Mean')).toBe(meanGradient);
  });
});
