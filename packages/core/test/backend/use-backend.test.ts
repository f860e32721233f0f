import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCrazyDigitsError, useBackend } from '../../src/index.js';
import {
  BackendUnavailableError,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
} from '../../src/store-kit.js';

async function tfjsNodeLoads(): Promise<boolean> {
  const name = '@tensorflow/tfjs-node';
  try {
    await import(/* @vite-ignore */ name);
    return true;
  } catch {
    return false;
  }
}

describe('useBackend', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("'auto' picks tfjs-node when it loads, otherwise wasm with the training kernels", async () => {
    const name = await useBackend('auto');
    expect(tf.getBackend()).toBe(name);
    expect(name).toBe((await tfjsNodeLoads()) ? 'tensorflow' : 'wasm');
    if (name === 'wasm') expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it("'wasm' is idempotent and registers the kernels once", async () => {
    expect(await useBackend('wasm')).toBe('wasm');
    const kernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(await useBackend('wasm')).toBe('wasm');
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(kernel);
  });

  it("'cpu' works without printing tfjs's install-the-node-backend banner", async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    expect(await useBackend('cpu')).toBe('cpu');
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync());
    const printed = [...warn.mock.calls, ...log.mock.calls].flat().join(' ');
    expect(printed).not.toMatch(/node backend/i);
    expect(tf.env().getBool('PROD')).toBe(false);
  });

  it('fails with BackendUnavailableError for a backend that cannot run here', async () => {
    const attempts: Array<Parameters<typeof useBackend>[0]> = ['webgl', 'webgpu'];
    if (!(await tfjsNodeLoads())) attempts.push('tensorflow');
    for (const preference of attempts) {
      const error = await useBackend(preference).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect(isCrazyDigitsError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
      expect((error as BackendUnavailableError).backend).toBe(preference);
    }
  });

  it('restoreStockWasmKernels removes what stock wasm lacks and puts the stock kernels back', async () => {
    await useBackend('wasm');
    const ours = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
    restoreStockWasmKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(ours);
    registerWasmTrainingKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(ours);
  });
});
