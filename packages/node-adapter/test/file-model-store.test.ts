import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeModelStoreContract, sampleArtifacts } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileModelStore, type StoreDamage } from '../src/stores/index.js';

describeModelStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crazy-digits-models-'));
  let store = await createFileModelStore({ dir, keep: 3 });
  return {
    store,
    keep: 3,
    reopen: async () => {
      await store.close();
      store = await createFileModelStore({ dir, keep: 3 });
      return store;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

const firstWeight = (artifacts: tf.io.ModelArtifacts | undefined) =>
  artifacts?.weightData
    ? new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))[0]
    : undefined;

describe('createFileModelStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crazy-digits-models-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('falls back to the newest intact version when the current one is damaged', async () => {
    const store = await createFileModelStore({ dir });
    await store.save(sampleArtifacts(1));
    const b = await store.save(sampleArtifacts(2));
    const c = await store.save(sampleArtifacts(3));
    await store.setCurrent(b.version);
    const weights = join(dir, 'versions', b.version, 'weights.bin');
    const bytes = await readFile(weights);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await writeFile(weights, bytes);
    expect((await store.current())?.version).toBe(c.version);
    expect(firstWeight((await store.load())?.artifacts)).toBe(3);
    const explicit = await store.load(b.version).catch((error: unknown) => error);
    expect(explicit).toMatchObject({ code: 'STORE_DAMAGED', file: weights, offset: 0 });

    await writeFile(join(dir, 'versions', c.version, 'model.json'), '{"not":"a model"}');
    expect(firstWeight((await store.load())?.artifacts)).toBe(1);
    expect((await store.list()).map((v) => v.version)).not.toContain(c.version);
    await store.close();
  });

  for (const [damage, harm] of [
    ['a flipped bit', (bytes: Buffer) => bytes.map((byte, i) => (i === 40 ? byte ^ 0x04 : byte))],
    ['a torn tail', (bytes: Buffer) => bytes.subarray(0, bytes.length - 7)],
  ] as const) {
    for (const file of ['weights.bin', 'model.json'] as const) {
      it(`sets a version with ${damage} in ${file} aside on open and serves the one before`, async () => {
        let store = await createFileModelStore({ dir });
        const a = await store.save(sampleArtifacts(1));
        const b = await store.save(sampleArtifacts(2));
        await store.close();
        const path = join(dir, 'versions', b.version, file);
        await writeFile(path, harm(await readFile(path)));
        const reports: StoreDamage[] = [];
        store = await createFileModelStore({ dir, onDamage: (report) => reports.push(report) });
        expect(reports).toEqual([
          { file: path, offset: 0, bytes: expect.any(Number), setAsideTo: expect.any(String) },
        ]);
        // The damaged version is kept whole beside the store, not deleted.
        expect(await readdir(join(reports[0]?.setAsideTo ?? ''))).toEqual(
          expect.arrayContaining(['model.json', 'weights.bin']),
        );
        expect((await store.list()).map((v) => v.version)).toEqual([a.version]);
        expect((await store.current())?.version).toBe(a.version);
        expect(firstWeight((await store.load())?.artifacts)).toBe(1);
        await store.close();
      });
    }
  }

  it('writes a tfjs model.json that tfjs reads as it is', async () => {
    const store = await createFileModelStore({ dir });
    const saved = await store.save(sampleArtifacts(0.25));
    await store.close();
    const modelJson: unknown = JSON.parse(
      await readFile(join(dir, 'versions', saved.version, 'model.json'), 'utf8'),
    );
    expect(modelJson).toMatchObject({
      modelTopology: sampleArtifacts(0.25).modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: sampleArtifacts(0.25).weightSpecs }],
    });
    expect(await readdir(join(dir, 'versions'))).toEqual([saved.version]);
  });
});
