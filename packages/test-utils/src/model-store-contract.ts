import type { ModelStore } from '@crazy-digits/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectCode } from './expect-code.js';
import { freshStorePerTest, itRefusesWorkAfterClose, type StoreHarness } from './store-contract.js';

/** How the contract suite gets a model store to test: one that keeps `keep` versions. */
export interface ModelStoreHarness extends StoreHarness<ModelStore> {
  /** How many versions the store was opened to keep (at least 3 for this suite). */
  keep: number;
}

/** Small but real layers-model artifacts whose weights are all `fill`. */
export function sampleArtifacts(fill: number): tf.io.ModelArtifacts {
  const values = new Float32Array(4 * 3 + 3).fill(fill);
  return {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: `sample_${fill}`, layers: [] } },
    weightSpecs: [
      { name: 'dense/kernel', shape: [4, 3], dtype: 'float32' },
      { name: 'dense/bias', shape: [3], dtype: 'float32' },
    ],
    weightData: values.buffer,
  };
}

const weightsOf = (artifacts: tf.io.ModelArtifacts | undefined) =>
  artifacts?.weightData
    ? Array.from(new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)))
    : [];

/** The behaviour every `ModelStore` must have. */
export function describeModelStoreContract(name: string, setup: () => Promise<ModelStoreHarness>): void {
  describe(`ModelStore contract: ${name}`, () => {
    const current = freshStorePerTest(setup);

    it('starts empty', async () => {
      const { store } = current;
      expect(await store.current()).toBeUndefined();
      expect(await store.load()).toBeUndefined();
      expect(await store.list()).toEqual([]);
      expect(await store.rollback()).toBeUndefined();
    });

    it('saves a version that becomes current and loads back byte for byte, with its details', async () => {
      const { store } = current;
      const saved = await store.save(sampleArtifacts(0.5), {
        metrics: { mnistAccuracy: 0.996 },
        note: 'first',
        parent: 'bundled',
      });
      expect(saved.metrics).toEqual({ mnistAccuracy: 0.996 });
      expect(saved.note).toBe('first');
      expect(saved.parent).toBe('bundled');
      expect((await store.current())?.version).toBe(saved.version);
      const loaded = await store.load();
      expect(loaded?.info).toEqual(saved);
      expect(weightsOf(loaded?.artifacts)).toEqual(weightsOf(sampleArtifacts(0.5)));
      expect(loaded?.artifacts.weightSpecs).toEqual(sampleArtifacts(0.5).weightSpecs);
      expect(loaded?.artifacts.modelTopology).toEqual(sampleArtifacts(0.5).modelTopology);
    });

    it('lists versions oldest first, rolls back and forward, and loads any kept version', async () => {
      const { store } = current;
      const a = await store.save(sampleArtifacts(1));
      const b = await store.save(sampleArtifacts(2));
      const c = await store.save(sampleArtifacts(3));
      expect((await store.list()).map((v) => v.version)).toEqual([a.version, b.version, c.version]);
      expect((await store.rollback())?.version).toBe(b.version);
      expect(weightsOf((await store.load())?.artifacts)[0]).toBe(2);
      expect((await store.rollback())?.version).toBe(a.version);
      expect(await store.rollback()).toBeUndefined();
      expect((await store.setCurrent(c.version)).version).toBe(c.version);
      expect(weightsOf((await store.load(b.version))?.artifacts)[0]).toBe(2);
      await expectCode(store.setCurrent('no-such-version'), 'MODEL_VERSION_NOT_FOUND');
      expect(await store.load('no-such-version')).toBeUndefined();
    });

    it('keeps only the newest versions', async () => {
      const { store, harness } = current;
      const first = await store.save(sampleArtifacts(0));
      for (let i = 1; i <= harness.keep + 2; i++) await store.save(sampleArtifacts(i));
      const kept = await store.list();
      expect(kept).toHaveLength(harness.keep);
      expect(kept.map((v) => v.version)).not.toContain(first.version);
      expect(weightsOf((await store.load(kept.at(-1)?.version))?.artifacts)[0]).toBe(harness.keep + 2);
    });

    it('rejects artifacts without weights or with mismatched specs, saving nothing', async () => {
      const { store } = current;
      const good = sampleArtifacts(1);
      await expectCode(store.save({ modelTopology: good.modelTopology }), 'INVALID_MODEL_ARTIFACTS');
      await expectCode(store.save({ ...good, weightData: new ArrayBuffer(8) }), 'INVALID_MODEL_ARTIFACTS');
      expect(await store.list()).toEqual([]);
    });

    it('is not affected by later changes to saved or loaded artifacts', async () => {
      const { store } = current;
      const artifacts = sampleArtifacts(4);
      await store.save(artifacts);
      new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0))).fill(9);
      const loaded = await store.load();
      if (loaded?.artifacts.weightData)
        new Float32Array(tf.io.CompositeArrayBuffer.join(loaded.artifacts.weightData)).fill(9);
      expect(weightsOf((await store.load())?.artifacts)[0]).toBe(4);
    });

    itRefusesWorkAfterClose(current, [(store) => store.save(sampleArtifacts(1)), (store) => store.list()]);

    it('keeps versions and the current choice across a reopen', async (context) => {
      context.skip(!current.harness.reopen, 'the store keeps nothing');
      let { store } = current;
      const a = await store.save(sampleArtifacts(1), { note: 'a' });
      await store.save(sampleArtifacts(2));
      await store.setCurrent(a.version);
      store = await current.reopen();
      expect((await store.current())?.version).toBe(a.version);
      expect((await store.list()).map((v) => v.note)).toEqual(['a', undefined]);
      expect(weightsOf((await store.load())?.artifacts)[0]).toBe(1);
    });
  });
}
