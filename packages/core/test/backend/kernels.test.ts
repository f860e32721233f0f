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
});
