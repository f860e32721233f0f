import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectCode, expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAsset } from '../src/assets/read-asset.js';
import { createRecognizer, useBackend } from '../src/index.js';
import { manifestToArtifacts } from '../src/model/bundle.js';
import { loadBundledModel } from '../src/model/bundled-model.js';
import { exportModel, importModel, storedAs } from '../src/model/serialize.js';
import { decodeDigitSets } from '../src/retrain/rehearsal-set.js';
import { createDigitModel } from '../src/training.js';

// Every asset read goes through the real reader, and is recorded.
vi.mock('../src/assets/read-asset.js', async (original) => {
  const real = await original<typeof import('../src/assets/read-asset.js')>();
  return { ...real, readAsset: vi.fn(real.readAsset) };
});

const mnist = loadMnist('test', 4);
const assetsRead = () => vi.mocked(readAsset).mock.calls.map(([url]) => url.pathname.split('/').pop());

beforeAll(async () => {
  await useBackend('wasm');
});

describe('the bundled model', () => {
  it('ships its kernels as 8-bit codes and its vectors as float16, in a file of the manifest’s length', async () => {
    const { manifest, artifacts } = await loadBundledModel();
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(manifest.weightBytes);
    for (const spec of manifest.weightSpecs) {
      expect(spec.quantization?.dtype).toBe(spec.shape.length > 1 ? 'uint8' : 'float16');
    }
    expect(() => manifestToArtifacts(manifest, new ArrayBuffer(manifest.weightBytes - 2))).toThrow(/bytes/);
  });
});

describe('uint8 storage', () => {
  it('keeps every kernel weight within half a step of its value, and vectors within float16', async () => {
    const model = createDigitModel({ seed: 3 });
    const float32 = await exportModel(model);
    model.dispose();
    const stored = storedAs(float32, 'uint8');
    const decoded = await importModel(stored);
    const original = await importModel(float32);
    const specs = stored.weightSpecs ?? [];
    original.getWeights().forEach((weight, i) => {
      const spec = specs[i];
      const before = weight.dataSync();
      const after = decoded.getWeights()[i]?.dataSync() ?? new Float32Array();
      const halfStep = (spec?.quantization?.scale ?? 0) / 2 + 1e-6;
      before.forEach((value, j) => {
        const allowed =
          spec?.quantization?.dtype === 'uint8' ? halfStep : 1e-3 * Math.max(1, Math.abs(value));
        if (Math.abs(value - (after[j] ?? 0)) > allowed)
          expect.fail(`${spec?.name}[${j}]: ${value} → ${after[j]}`);
      });
    });
    decoded.dispose();
    original.dispose();
  });
});

describe('readAsset', () => {
  let server: ReturnType<typeof createServer>;
  let origin: string;
  const served = new Uint8Array([1, 2, 3, 250]);
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/weights.bin') response.end(served);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches an http asset and reads a file: one from disk', async () => {
    expect(new Uint8Array(await readAsset(new URL('/weights.bin', origin)))).toEqual(served);
    const file = new URL('../src/retrain/rehearsal-set.bin', import.meta.url);
    expect(new Uint8Array(await readAsset(file))).toEqual(new Uint8Array(await readFile(file)));
  });

  it('fails with ASSET_LOAD_FAILED when the asset is missing', async () => {
    await expectCode(readAsset(new URL('/missing.bin', origin)), 'ASSET_LOAD_FAILED');
    await expectCode(readAsset(new URL('./missing.bin', import.meta.url)), 'ASSET_LOAD_FAILED');
  });
});

describe('the bundled rehearsal digits', () => {
  it('reject a damaged file with DIGIT_CODEC', async () => {
    const file = await readFile(new URL('../src/retrain/rehearsal-set.bin', import.meta.url));
    const cut = new Uint8Array(file).slice(0, 100).buffer;
    await expectCode(decodeDigitSets(cut), 'DIGIT_CODEC');
  });

  it('are read on the first correction, not when a recogniser loads and predicts', async () => {
    const baseline = tf.memory().numTensors;
    vi.mocked(readAsset).mockClear();
    const recognizer = await createRecognizer();
    try {
      await expectNoLeakedTensors(async () => {
        await recognizer.predict(mnistDigit(mnist, 0));
      });
      expect(assetsRead()).toEqual(['bundled-weights.bin']);
      await recognizer.correct(mnistDigit(mnist, 1), ((mnist.labels[1] ?? 0) + 1) % 10);
      expect(assetsRead()).toContain('rehearsal-set.bin');
    } finally {
      recognizer.dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
