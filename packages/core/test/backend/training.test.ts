import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/index.js';

/** Small CNN covering stride 2, same/valid padding, batch norm, max pool and dense layers. */
function smallCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

async function losses(
  backend: 'cpu' | 'wasm',
  weights: tf.Tensor[],
  xs: Float32Array,
  ys: Float32Array,
): Promise<number[]> {
  await tf.setBackend(backend);
  if (backend === 'wasm') registerWasmTrainingKernels();
  const model = smallCnn();
  model.setWeights(weights.map((w) => tf.tensor(w.dataSync(), w.shape)));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(xs, [32, 12, 12, 1]);
  const y = tf.tensor2d(ys, [32, 3]);
  const out: number[] = [];
  for (let i = 0; i < 15; i++) out.push(Number(await model.trainOnBatch(x, y)));
  tf.dispose([x, y]);
  model.dispose();
  return out;
}

describe('training on wasm with the kernels', () => {
  beforeAll(() => {
    tf.env().set('PROD', true);
  });

  it("makes a small CNN's loss fall as on cpu, step by step", async () => {
    await tf.setBackend('cpu');
    const xs = new Float32Array(32 * 144);
    const ys = new Float32Array(32 * 3);
    for (let i = 0; i < 32; i++) {
      const k = i % 3;
      ys[i * 3 + k] = 1;
      for (let p = 0; p < 144; p++)
        xs[i * 144 + p] = Math.sin(p * (k + 1) * 0.37 + i) * 0.5 + (p % 12 < 4 * (k + 1) ? 0.5 : 0);
    }
    const init = smallCnn();
    const weights = init.getWeights().map((w) => w.clone());
    init.dispose();
    const cpu = await losses('cpu', weights, xs, ys);
    const wasm = await losses('wasm', weights, xs, ys);
    tf.dispose(weights);
    expect(wasm.at(-1)).toBeLessThan((wasm[0] ?? 0) * 0.5);
    wasm.forEach((loss, i) => {
      const reference = cpu[i] ?? Number.NaN;
      expect(Math.abs(loss - reference)).toBeLessThanOrEqual(2e-3 + 2e-2 * reference);
    });
  }, 120_000);

  it('leaks no tensors or wasm buffers over a training step', async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    const model = smallCnn();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([8, 12, 12, 1]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat());
    await model.trainOnBatch(x, y); // the first step creates the optimizer's slots
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    await model.trainOnBatch(x, y);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, y]);
    model.dispose();
  });
});
