import { type RetrainProgress, useBackend } from '@crazy-digits/core';
import type { LabelledDigit } from '@crazy-digits/core/store-kit';
import type { DigitDataset } from '@crazy-digits/core/training';
import { expectCode, expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundledModel } from '../../core/src/model/bundled-model.js';
import { serveRetrainRequests, type WorkerRetrainer, type WorkerRetrainerOptions } from '../src/index.js';
import { createRetrainerOn } from '../src/worker/create-worker-retrainer.js';
import type { RetrainWorkerHandle } from '../src/worker/dom-port.js';

/** Model loads and training steps run for real; a ceiling for slow machines, not a measurement. */
const SLOW = 120_000;
const { artifacts } = await loadBundledModel();
const base = { artifacts };
const train = loadMnist('train', 400);

/** `count` MNIST digits from `from` on, as a dataset (values 0–1). */
function slice(from: number, count: number): DigitDataset {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < count; i++) images.set(mnistDigit(train, from + i), i * 784);
  return { images, labels: train.labels.slice(from, from + count) };
}
const corrections = (count: number): LabelledDigit[] =>
  Array.from({ length: count }, (_, i) => ({
    image: mnistDigit(train, 300 + i),
    label: train.labels[300 + i] ?? 0,
  }));

/** What the page configures: two steps, small rehearsal and held-out sets. */
const options: WorkerRetrainerOptions = {
  backend: 'wasm',
  retrainer: { maxSteps: 2, rehearsal: slice(0, 200), validation: slice(200, 200) },
};

/**
 * A worker stand-in on the page end of a DOM `MessageChannel`: with `serve`, the other end runs
 * `serveRetrainRequests` in this thread; without, nobody answers. `crash` fires its 'error' event.
 */
function fakeWorker({ serve }: { serve: boolean }) {
  const { port1, port2 } = new MessageChannel();
  const stopServing = serve ? serveRetrainRequests(port2) : () => {};
  const crashListeners: ((event: MessageEvent) => void)[] = [];
  let terminated = false;
  const worker: RetrainWorkerHandle = {
    postMessage: (message, transfer) => port1.postMessage(message, transfer),
    addEventListener(type: string, listener: (event: MessageEvent) => void) {
      if (type === 'message') port1.addEventListener('message', listener);
      else if (type === 'error') crashListeners.push(listener);
    },
    removeEventListener: (type, listener) => port1.removeEventListener(type, listener),
    terminate() {
      terminated = true;
      stopServing();
      port1.close();
      port2.close();
    },
  };
  return {
    worker,
    crash: () => {
      for (const listener of crashListeners)
        listener(Object.assign(new MessageEvent('error'), { message: 'out of memory' }));
    },
    terminated: () => terminated,
  };
}

/** Runs `test` on a retrainer whose stand-in worker serves the protocol, then disposes it. */
async function withServingWorker(
  overrides: WorkerRetrainerOptions,
  test: (retrainer: WorkerRetrainer) => Promise<void>,
) {
  const fake = fakeWorker({ serve: true });
  const retrainer = createRetrainerOn(() => fake.worker, { ...options, ...overrides });
  try {
    await test(retrainer);
  } finally {
    retrainer.dispose();
  }
  expect(fake.terminated()).toBe(true);
}

beforeAll(() => useBackend('wasm'));

describe('createWorkerRetrainer over a worker serving serveRetrainRequests', () => {
  it(
    'configures the worker from its options, retrains there and reports the worker’s backend',
    () =>
      withServingWorker({}, async (retrainer) => {
        expect(retrainer.backend).toBeUndefined();
        const phases: RetrainProgress['phase'][] = [];
        const result = await expectNoLeakedTensors(() =>
          retrainer.retrain({ base, corrections: corrections(6), onProgress: (p) => phases.push(p.phase) }),
        );
        expect(result.metrics).toMatchObject({ steps: 2, correctionsUsed: 6 });
        expect(new Set(phases)).toEqual(new Set(['preparing', 'training', 'validating']));
        expect(retrainer.backend).toBe('wasm');
      }),
    SLOW,
  );

  it(
    'stops an aborted run in the worker, which then serves the next run',
    () =>
      withServingWorker({}, async (retrainer) => {
        const controller = new AbortController();
        const stopped = retrainer.retrain({
          base,
          corrections: corrections(4),
          signal: controller.signal,
          onProgress: () => controller.abort(new Error('stopped by the page')),
        });
        await expect(stopped).rejects.toThrow('stopped by the page');
        const after = await retrainer.retrain({ base, corrections: corrections(2) });
        expect(after.metrics.steps).toBe(2);
      }),
    SLOW,
  );

  it(
    'selects the configured backend in the worker, failing with its code when it is missing',
    () =>
      withServingWorker({ backend: 'webgpu' }, (retrainer) =>
        expectCode(retrainer.retrain({ base, corrections: corrections(1) }), 'BACKEND_UNAVAILABLE'),
      ),
    SLOW,
  );
});

describe('createWorkerRetrainer when its worker fails', () => {
  it('fails the runs of a crashed worker and starts a new one for the next run', async () => {
    const started: ReturnType<typeof fakeWorker>[] = [];
    const retrainer = createRetrainerOn(() => {
      const fake = fakeWorker({ serve: false });
      started.push(fake);
      return fake.worker;
    });
    const run = retrainer.retrain({ base, corrections: corrections(1) });
    started[0]?.crash();
    await expect(run).rejects.toThrow(/crashed: out of memory/);
    await expectCode(run, 'RETRAIN_WORKER_FAILED');
    expect(started[0]?.terminated()).toBe(true);

    const next = retrainer.retrain({ base, corrections: corrections(1) });
    expect(started).toHaveLength(2);
    retrainer.dispose();
    await expectCode(next, 'RETRAINER_DISPOSED');
    expect(started[1]?.terminated()).toBe(true);
    await expectCode(retrainer.retrain({ base, corrections: corrections(1) }), 'RETRAINER_DISPOSED');
    retrainer.dispose();
  });

  it('keeps a failed worker it was given failed, and explains a worker that cannot start', async () => {
    const fake = fakeWorker({ serve: false });
    const given = createRetrainerOn(() => fake.worker, {}, false);
    const run = given.retrain({ base, corrections: corrections(1) });
    fake.crash();
    await expectCode(run, 'RETRAIN_WORKER_FAILED');
    await expectCode(given.retrain({ base, corrections: corrections(1) }), 'RETRAIN_WORKER_FAILED');
    given.dispose();

    const unstartable = createRetrainerOn(() => {
      throw new TypeError('Invalid URL');
    });
    const failure = unstartable.retrain({ base, corrections: corrections(1) });
    await expectCode(failure, 'RETRAIN_WORKER_FAILED');
    await expect(failure).rejects.toThrow(/pass the `worker` option/);
    unstartable.dispose();
  });
});
