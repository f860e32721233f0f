/**
 * `npm run bench -- training [--json] [--epochs 2] [--samples 3200] [--batch 64] [--cpu-batch 8]`
 *
 * Training throughput (samples/s per epoch) of the shipped `compact` CNN and of the seed app's
 * CNN: on `wasm` with this package's training kernels, on `wasm` with only the one kernel it
 * lacks (the stock baseline that can run at all), and on stock `cpu` (one small batch: its
 * filter gradient runs at a few million multiply-adds per second). Adam, categorical
 * crossentropy, MNIST digits, one thread.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, useBackend } from '../packages/core/src/backend/index.js';
import {
  registerSubset,
  restoreStockWasmKernels,
} from '../packages/core/src/backend/wasm-kernels/register.js';
import { type Architecture, createDigitModel } from '../packages/core/src/model/index.js';
import { loadMnist } from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

type Setup = 'wasm + kernels' | 'wasm, stock + filter grad' | 'cpu, stock';

async function prepare(setup: Setup): Promise<void> {
  if (setup === 'cpu, stock') {
    await useBackend('cpu');
    return;
  }
  await useBackend('wasm');
  restoreStockWasmKernels();
  if (setup === 'wasm + kernels') registerWasmTrainingKernels();
  else registerSubset(['Conv2DBackpropFilter']);
}

/** Host-side training data: batches become tensors on whichever backend is active. */
interface HostData {
  images: Float32Array;
  targets: Float32Array;
  count: number;
}

function batchTensors(data: HostData, start: number, size: number): [tf.Tensor4D, tf.Tensor2D] {
  return [
    tf.tensor4d(data.images.subarray(start * 784, (start + size) * 784), [size, 28, 28, 1]),
    tf.tensor2d(data.targets.subarray(start * 10, (start + size) * 10), [size, 10]),
  ];
}

async function samplesPerSecond(
  architecture: Architecture,
  data: HostData,
  batch: number,
  epochs: number,
): Promise<number[]> {
  const model = createDigitModel({ architecture });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const steps = Math.floor(data.count / batch);
  // One warm-up step: kernel setup and JIT are not training throughput.
  const warmUp = batchTensors(data, 0, batch);
  await model.trainOnBatch(warmUp[0], warmUp[1]);
  tf.dispose(warmUp);
  const rates: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const started = performance.now();
    for (let s = 0; s < steps; s++) {
      const [x, y] = batchTensors(data, s * batch, batch);
      await model.trainOnBatch(x, y);
      tf.dispose([x, y]);
    }
    rates.push((steps * batch) / ((performance.now() - started) / 1000));
  }
  model.optimizer.dispose();
  model.dispose();
  return rates;
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      epochs: { type: 'string', default: '2' },
      samples: { type: 'string', default: '3200' },
      batch: { type: 'string', default: '64' },
      'cpu-batch': { type: 'string', default: '8' },
    },
  });
  const epochs = Number(values.epochs);
  const batch = Number(values.batch);
  const cpuBatch = Number(values['cpu-batch']);
  const mnist = loadMnist('train', Number(values.samples));
  const targets = new Float32Array(mnist.count * 10);
  mnist.labels.forEach((label, i) => {
    targets[i * 10 + label] = 1;
  });
  const all: HostData = {
    images: Float32Array.from(mnist.images, (v) => v / 255),
    targets,
    count: mnist.count,
  };

  const figures: Figure[] = [];
  for (const architecture of ['compact', 'seed'] as const) {
    const rates = new Map<Setup, number>();
    for (const setup of ['wasm + kernels', 'wasm, stock + filter grad', 'cpu, stock'] as const) {
      await prepare(setup);
      const stock = setup !== 'wasm + kernels';
      // The stock setups are far too slow for whole epochs: a few batches say enough.
      const size = setup === 'cpu, stock' ? cpuBatch : batch;
      const take = stock ? size * (setup === 'cpu, stock' ? 1 : 4) : mnist.count;
      const perEpoch = await samplesPerSecond(
        architecture,
        { ...all, count: take },
        size,
        stock ? 1 : epochs,
      );
      const last = perEpoch.at(-1) ?? Number.NaN;
      rates.set(setup, last);
      figures.push({
        bench: 'training',
        metric: `${architecture} samples/s, ${setup}`,
        value: last,
        unit: 'samples/s',
        detail: `batch ${size}, ${stock ? `${take} samples` : `epochs: ${perEpoch.map((r) => r.toFixed(1)).join(', ')}`}`,
      });
    }
    const ours = rates.get('wasm + kernels') ?? Number.NaN;
    figures.push({
      bench: 'training',
      metric: `${architecture} speed-up vs stock cpu`,
      value: ours / (rates.get('cpu, stock') ?? Number.NaN),
      unit: 'x',
    });
    figures.push({
      bench: 'training',
      metric: `${architecture} speed-up vs stock wasm + filter grad`,
      value: ours / (rates.get('wasm, stock + filter grad') ?? Number.NaN),
      unit: 'x',
    });
  }
  printFigures(figures, options.json);
}
