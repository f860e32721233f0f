import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/index.js';
import { seededRandom as mulberry32 } from '../../src/training/random.js';
import { checkAgainstCpu, randomTensor } from './harness.js';

/** fast-check runs per kernel; CRAZY_DIGITS_KERNEL_RUNS raises it for a deeper local check. */
const RUNS = Number(process.env.CRAZY_DIGITS_KERNEL_RUNS ?? 100);

/** Conv geometry where the forward conv is valid (at least one output pixel). */
const convCase = fc
  .record({
    n: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(16, 64)),
    h: fc.integer({ min: 1, max: 12 }),
    w: fc.integer({ min: 1, max: 12 }),
    ci: fc.integer({ min: 1, max: 6 }),
    co: fc.integer({ min: 1, max: 6 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 2 }),
    sw: fc.integer({ min: 1, max: 2 }),
    pad: fc.oneof(
      fc.constantFrom<'same' | 'valid'>('same', 'valid'),
      fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    ),
    seed: fc.nat(),
  })
  .filter((c) => c.pad !== 'valid' || (c.h >= c.kh && c.w >= c.kw))
  .filter(
    (c) =>
      typeof c.pad === 'string' || (c.h + c.pad[0] + c.pad[1] >= c.kh && c.w + c.pad[2] + c.pad[3] >= c.kw),
  )
  .map((c) => ({ ...c, n: c.h * c.w > 64 && c.n > 16 ? 16 : c.n }));

type ConvCase = typeof convCase extends fc.Arbitrary<infer T> ? T : never;

function geometry(c: ConvCase): {
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  out: [number, number, number, number];
} {
  const pad =
    typeof c.pad === 'string'
      ? c.pad
      : ([
          [0, 0],
          [c.pad[0], c.pad[1]],
          [c.pad[2], c.pad[3]],
          [0, 0],
        ] as [[number, number], [number, number], [number, number], [number, number]]);
  const info = tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.ci],
    [c.kh, c.kw, c.ci, c.co],
    [c.sh, c.sw],
    1,
    pad,
  );
  return { pad, out: [c.n, info.outHeight, info.outWidth, c.co] };
}

const kernelProperties: Array<[string, () => Promise<void>]> = [
  [
    'Conv2DBackpropFilter',
    () =>
      fc.assert(
        fc.asyncProperty(convCase, async (c) => {
          const { pad, out } = geometry(c);
          const r = mulberry32(c.seed);
          await checkAgainstCpu(
            'Conv2DBackpropFilter',
            { x: randomTensor([c.n, c.h, c.w, c.ci], r), dy: randomTensor(out, r) },
            {
              strides: [c.sh, c.sw],
              pad,
              dataFormat: 'NHWC',
              dimRoundingMode: undefined as never,
              filterShape: [c.kh, c.kw, c.ci, c.co],
            },
          );
        }),
        { numRuns: RUNS },
      ),
  ],

  [
    'Conv2DBackpropInput',
    () =>
      fc.assert(
        fc.asyncProperty(convCase, async (c) => {
          const { pad, out } = geometry(c);
          const r = mulberry32(c.seed);
          await checkAgainstCpu(
            'Conv2DBackpropInput',
            { dy: randomTensor(out, r), filter: randomTensor([c.kh, c.kw, c.ci, c.co], r) },
            {
              strides: [c.sh, c.sw],
              pad,
              dataFormat: 'NHWC',
              dimRoundingMode: undefined as never,
              inputShape: [c.n, c.h, c.w, c.ci],
            },
          );
        }),
        { numRuns: RUNS },
      ),
  ],

  [
    'BatchMatMul',
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.record({
            batchA: fc.constantFrom(1, 2, 3),
            broadcast: fc.boolean(),
            m: fc.integer({ min: 1, max: 40 }),
            k: fc.integer({ min: 1, max: 40 }),
            n: fc.integer({ min: 1, max: 40 }),
            ta: fc.boolean(),
            tb: fc.boolean(),
            seed: fc.nat(),
          }),
          async ({ batchA, broadcast, m, k, n, ta, tb, seed }) => {
            const r = mulberry32(seed);
            const batchB = broadcast ? 1 : batchA;
            await checkAgainstCpu(
              'BatchMatMul',
              {
                a: randomTensor([batchA, ta ? k : m, ta ? m : k], r),
                b: randomTensor([batchB, tb ? n : k, tb ? k : n], r),
              },
              { transposeA: ta, transposeB: tb },
            );
          },
        ),
        { numRuns: RUNS },
      ),
  ],

  [
    'MaxPoolGrad',
    () =>
      fc.assert(
        fc.asyncProperty(
          fc
            .record({
              n: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(64)),
              h: fc.integer({ min: 1, max: 10 }),
              w: fc.integer({ min: 1, max: 10 }),
              c: fc.integer({ min: 1, max: 8 }),
              f: fc.integer({ min: 1, max: 3 }),
              s: fc.integer({ min: 1, max: 2 }),
              pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
              seed: fc.nat(),
            })
            .filter((p) => p.pad === 'same' || (p.h >= p.f && p.w >= p.f)),
          async ({ n, h, w, c, f, s, pad, seed }) => {
            const r = mulberry32(seed);
            const info = tf.backend_util.computePool2DInfo([n, h, w, c], f, s, 1, pad);
            const attrs = { filterSize: f, strides: s, pad, dimRoundingMode: undefined as never };
            await checkAgainstCpu(
              'MaxPoolGrad',
              {
                dy: randomTensor([n, info.outHeight, info.outWidth, c], r),
                input: randomTensor([n, h, w, c], r),
              },
              attrs,
              (t) => ({ output: tf.maxPool(t.input as tf.Tensor4D, f, s, pad) }),
            );
          },
        ),
        { numRuns: RUNS },
      ),
  ],

  [
    'Tile',
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })), {
            minLength: 1,
            maxLength: 5,
          }),
          fc.constantFrom<'float32' | 'int32'>('float32', 'int32'),
          fc.nat(),
          async (dims, dtype, seed) => {
            await checkAgainstCpu(
              'Tile',
              {
                x: randomTensor(
                  dims.map((d) => d[0]),
                  mulberry32(seed),
                  dtype,
                ),
              },
              { reps: dims.map((d) => d[1]) },
            );
          },
        ),
        { numRuns: RUNS },
      ),
  ],
];

/**
 * Conv2DBackpropFilter on fixed geometries that pin down each of its code paths: the wide
 * stride-phase im2col (stride 1 and 2, 'same' and 'valid' and explicit padding, input rows
 * and columns a strided conv never reads, taps longer than the stride, a 1-wide kernel with
 * no widening) and the one-channel exact im2col; the layers of both models among them.
 */
const filterGradCases: Array<{
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  s: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
}> = [
  { x: [3, 28, 28, 1], k: [3, 3], co: 16, s: [1, 1], pad: 'same' }, // compact, layer 1
  { x: [3, 28, 28, 16], k: [3, 3], co: 32, s: [2, 2], pad: 'same' }, // compact, layer 2
  { x: [3, 14, 14, 32], k: [3, 3], co: 32, s: [1, 1], pad: 'same' }, // compact, layer 3
  { x: [3, 14, 14, 32], k: [3, 3], co: 64, s: [2, 2], pad: 'same' }, // compact, layer 4
  { x: [3, 7, 7, 64], k: [3, 3], co: 64, s: [1, 1], pad: 'same' }, // compact, layer 5
  { x: [3, 28, 28, 1], k: [3, 3], co: 32, s: [1, 1], pad: 'valid' }, // seed, layer 1
  { x: [1, 26, 26, 32], k: [3, 3], co: 64, s: [1, 1], pad: 'valid' }, // seed, layer 2
  { x: [2, 9, 8, 3], k: [2, 2], co: 4, s: [2, 2], pad: 'valid' }, // last row never read: cropped
  { x: [2, 11, 10, 5], k: [3, 2], co: 3, s: [2, 1], pad: 'valid' }, // mixed strides
  { x: [2, 6, 7, 3], k: [5, 4], co: 2, s: [2, 2], pad: 'same' }, // kernel longer than 2 strides
  {
    x: [2, 5, 6, 4],
    k: [3, 3],
    co: 3,
    s: [1, 2],
    pad: [
      [0, 0],
      [2, 0],
      [1, 2],
      [0, 0],
    ],
  }, // explicit
  { x: [4, 5, 5, 2], k: [1, 1], co: 3, s: [1, 1], pad: 'valid' }, // 1x1: no widening
  { x: [2, 9, 9, 1], k: [3, 3], co: 2, s: [2, 2], pad: 'same' }, // one channel, strided
  {
    x: [2, 6, 6, 1],
    k: [2, 3],
    co: 2,
    s: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  }, // one channel, explicit
];

describe('wasm training kernels match the cpu backend', () => {
  beforeAll(async () => {
    // PROD keeps the cpu backend's Node banner out of the test log.
    tf.env().set('PROD', true);
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels(); // idempotent by contract
  });

  for (const [name, check] of kernelProperties) {
    it(`${name}: within 1e-4 relative error, no leaked tensors or wasm buffers`, check, 120_000);
  }

  it('Conv2DBackpropFilter: fixed geometries of each code path, including both models', async () => {
    for (const [i, c] of filterGradCases.entries()) {
      const [n, h, w, ci] = c.x;
      const info = tf.backend_util.computeConv2DInfo(c.x, [...c.k, ci, c.co], c.s, 1, c.pad);
      const r = mulberry32(i);
      await checkAgainstCpu(
        'Conv2DBackpropFilter',
        {
          x: randomTensor([n, h, w, ci], r),
          dy: randomTensor([n, info.outHeight, info.outWidth, c.co], r),
        },
        {
          strides: c.s,
          pad: c.pad,
          dataFormat: 'NHWC',
          dimRoundingMode: undefined as never,
          filterShape: [...c.k, ci, c.co],
        },
      );
    }
  }, 120_000);
});
