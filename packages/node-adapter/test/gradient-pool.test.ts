import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isCrazyDigitsError, useBackend } from '@crazy-digits/core';
import { GradientPoolDisposedError, GradientWorkerError } from '@crazy-digits/core/store-kit';
import type { DigitDataset } from '@crazy-digits/core/training';
import { createDigitModel, type TrainOptions, trainDigitModel } from '@crazy-digits/core/training';
import { expectNoLeakedTensors, loadMnist } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWorkerThreadsGradientPool } from '../src/index.js';
import { createGradientPoolOn } from '../src/training/worker-threads-pool.js';

const set = loadMnist('train', 256);
const data: DigitDataset = { images: Float32Array.from(set.images, (v) => v / 255), labels: set.labels };
const quick: TrainOptions = { epochs: 2, batchSize: 32, augment: false, learningRate: 0.05 };

/** A net without batch norm or dropout: its sharded gradient equals the whole batch's exactly. */
function plainNet(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 5,
        strides: 2,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
}

async function lossTrajectory(model: tf.LayersModel, options: TrainOptions): Promise<number[]> {
  const losses: number[] = [];
  await trainDigitModel(model, data, { ...options, onProgress: (progress) => losses.push(progress.loss) });
  model.dispose();
  return losses;
}

async function trajectories(build: () => tf.LayersModel): Promise<{ alone: number[]; pooled: number[] }> {
  const alone = await lossTrajectory(build(), quick);
  const pool = createWorkerThreadsGradientPool({ workers: 1 });
  try {
    return { alone, pooled: await lossTrajectory(build(), { ...quick, gradientPool: pool }) };
  } finally {
    await pool.dispose();
  }
}

const largestGap = (a: number[], b: number[]) =>
  Math.max(...a.map((value, i) => Math.abs(value - (b[i] ?? Number.NaN))));

describe('createWorkerThreadsGradientPool', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('averages shard gradients into the whole batch gradient', { timeout: 30_000 }, async () => {
    const { alone, pooled } = await trajectories(plainNet);
    expect(pooled).toHaveLength(alone.length);
    expect(largestGap(alone, pooled)).toBeLessThan(1e-4);
  });

  it('follows single-threaded training of the shipped model, batch norm per shard', {
    timeout: 30_000,
  }, async () => {
    const { alone, pooled } = await trajectories(() => createDigitModel({ seed: 3 }));
    expect(pooled).toHaveLength(alone.length);
    // Not equal: each shard normalises by its own batch statistics (16 digits; 256 values per
    // channel in the 4x4 stage). Exact averaging is the plain network's test above; this bound
    // catches a pool that trains something else (a wrong shard or stale weights: gaps of 0.3+).
    expect(largestGap(alone, pooled)).toBeLessThan(0.1);
    expect(pooled.at(-1)).toBeLessThan(pooled[0] ?? 0);
  });

  it('leaves no tensors behind on the training thread', { timeout: 30_000 }, async () => {
    const pool = createWorkerThreadsGradientPool({ workers: 1 });
    const model = createDigitModel();
    try {
      await expectNoLeakedTensors(() =>
        trainDigitModel(model, data, { epochs: 1, batchSize: 32, augment: false, gradientPool: pool }),
      );
    } finally {
      model.dispose();
      await pool.dispose();
    }
  });

  it('turns a crashed worker into a GradientWorkerError', { timeout: 30_000 }, async () => {
    const entry = new URL('./fixtures/crashing-gradient-worker.ts', import.meta.url);
    const pool = createGradientPoolOn(entry, { workers: 1 });
    const model = createDigitModel();
    try {
      const failure = await trainDigitModel(model, data, { ...quick, gradientPool: pool }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(GradientWorkerError);
      expect(isCrazyDigitsError(failure, 'GRADIENT_WORKER_FAILED')).toBe(true);
      expect(String(failure)).toMatch(/exited with code 3/);
    } finally {
      model.dispose();
      await pool.dispose();
    }
  });

  it('stops a run when disposed, and refuses new ones', { timeout: 30_000 }, async () => {
    const pool = createWorkerThreadsGradientPool({ workers: 1 });
    const model = createDigitModel();
    let disposing: Promise<void> | undefined;
    const run = trainDigitModel(model, data, {
      ...quick,
      gradientPool: pool,
      onProgress: () => {
        disposing ??= pool.dispose();
      },
    }).catch((error: unknown) => error);
    try {
      expect(await run).toBeInstanceOf(GradientPoolDisposedError);
      await disposing;
      await expect(pool.open()).rejects.toBeInstanceOf(GradientPoolDisposedError);
    } finally {
      model.dispose();
    }
  });

  it('lets the process exit after training without dispose()', { timeout: 30_000 }, async () => {
    const script = fileURLToPath(new URL('./fixtures/train-without-dispose.ts', import.meta.url));
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, script], {
      timeout: 25_000,
    });
    expect(stdout).toContain('steps 2');
  });
});
