import { CrazyDigitsError, isCrazyDigitsError, type RetrainProgress, useBackend } from '@crazy-digits/core';
import { type LabelledDigit, NoCorrectionsError } from '@crazy-digits/core/store-kit';
import type { DigitDataset } from '@crazy-digits/core/training';
import { expectCode, expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedToArtifacts } from '../../core/src/model/bundle.js';
import { bundledModel } from '../../core/src/model/bundled-model.generated.js';
import { serveRetrainRequests } from '../src/index.js';
import { createRetrainerOn, type RetrainWorkerHandle } from '../src/worker/create-worker-retrainer.js';
import type { ConfigureMessage, FromWorkerMessage } from '../src/worker/messages.js';
import { connectRetrainClient, type RetrainClient } from '../src/worker/retrain-client.js';
import { toRetrainMessage } from '../src/worker/wire.js';

/** Model loads and training steps run for real; a ceiling for slow machines, not a measurement. */
const SLOW = 120_000;
const base = embeddedToArtifacts(bundledModel);
const train = loadMnist('train', 400);
const dataset = (from: number, count: number): DigitDataset => ({
  images: Float32Array.from(train.images.subarray(from * 784, (from + count) * 784), (v) => v / 255),
  labels: train.labels.slice(from, from + count),
});
const digits = (from: number, count: number): LabelledDigit[] =>
  Array.from({ length: count }, (_, i) => ({
    image: mnistDigit(train, from + i),
    label: train.labels[from + i] ?? 0,
  }));

/** Two training steps and small rehearsal/validation sets: these tests check the protocol. */
const configuration: ConfigureMessage = {
  type: 'configure',
  backend: 'wasm',
  retrainer: { minSteps: 2, maxSteps: 2, rehearsal: dataset(0, 200), validation: dataset(200, 200) },
};

/** A page and a "worker" on the two ends of a message channel, in this thread. */
function connect(config: ConfigureMessage = configuration) {
  const { port1, port2 } = new MessageChannel();
  const stop = serveRetrainRequests(port2);
  const client = connectRetrainClient(port1, config);
  const seen: FromWorkerMessage[] = [];
  port1.addEventListener('message', (event: MessageEvent) => seen.push(event.data));
  return {
    client,
    seen,
    close() {
      client.close(new Error('closed'));
      stop();
      port1.close();
      port2.close();
    },
  };
}

/** Resolves once `check` holds, polling between macrotasks. */
async function until(check: () => boolean) {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

let channel: ReturnType<typeof connect>;
let client: RetrainClient;
beforeAll(async () => {
  await useBackend('wasm');
  channel = connect();
  client = channel.client;
});
afterAll(() => channel.close());

describe('the retrain worker protocol', () => {
  it(
    "runs core's retrainer on the other side: progress, a gated result, no leaked tensors",
    async () => {
      const corrections = digits(300, 8);
      const baseBytes = base.weightData instanceof ArrayBuffer ? base.weightData.byteLength : 0;
      const progress: RetrainProgress[] = [];
      const result = await expectNoLeakedTensors(() =>
        client.retrain({ base, corrections, onProgress: (p) => progress.push(p) }),
      );
      expect(result.metrics).toMatchObject({ steps: 2, correctionsUsed: 8 });
      expect(typeof result.accepted).toBe('boolean');
      expect(result.metrics.recall).toHaveLength(10);
      expect(progress.map((p) => p.phase)).toEqual([
        'preparing',
        'training',
        'training',
        'validating',
        'validating',
      ]);
      expect(client.backend).toBe('wasm');
      // The candidate's float32 weights arrive whole (the bundled model's are float16), and the
      // caller's images and weights are copied, not detached.
      const weights = result.artifacts.weightData;
      expect(weights instanceof ArrayBuffer && weights.byteLength).toBe(baseBytes * 2);
      expect(base.weightData instanceof ArrayBuffer && base.weightData.byteLength).toBe(baseBytes);
      expect(corrections.every((c) => c.image.length === 784)).toBe(true);
      expect(client.pending).toBe(0);
    },
    SLOW,
  );

  it(
    'passes what the page knows of the base to the worker, and the accepted candidate’s rehearsal outputs back',
    async () => {
      // Bundled rehearsal and validation digits: the retrainer can use what the page knows of them.
      const bundled = connect({
        type: 'configure',
        backend: 'wasm',
        retrainer: {
          minSteps: 2,
          maxSteps: 2,
          gate: { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 },
        },
      });
      try {
        const known = { accuracy: 0.777, recall: new Array<number>(10).fill(0.777), count: 2000 };
        const result = await bundled.client.retrain({
          base,
          corrections: digits(300, 4),
          baseEvaluation: known,
        });
        expect(result.metrics.baseAccuracy).toBe(0.777);
        expect(result.metrics.baseRecall).toEqual(known.recall);
        // Accepted: its outputs on the 1,000 bundled rehearsal digits come back for the page's rehearsal digits.
        expect(result.accepted).toBe(true);
        expect(result.rehearsal?.probabilities).toHaveLength(10_000);
        expect(result.rehearsal?.features.length).toBe(1000 * 128);
      } finally {
        bundled.close();
      }
      const { message } = toRetrainMessage(1, {
        base,
        corrections: digits(300, 1),
        baseOnRehearsal: { featureMean: [0.5], probabilities: new Float32Array(10) },
        baseEvaluation: { accuracy: 1, recall: [1], count: 1 },
      });
      expect(message.baseOnRehearsal?.featureMean).toEqual([0.5]);
      expect(message.baseEvaluation?.count).toBe(1);
    },
    SLOW,
  );

  it(
    "aborts the run in the worker and rejects with the signal's reason",
    async () => {
      const controller = new AbortController();
      const reason = new Error('user cancelled');
      const before = channel.seen.length;
      await expectNoLeakedTensors(async () => {
        const run = client.retrain({
          base,
          corrections: digits(300, 8),
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'training') controller.abort(reason);
          },
        });
        await expect(run).rejects.toBe(reason);
        // The worker stops at its next step and reports the abort; no result follows.
        await until(() => channel.seen.slice(before).some((m) => m.type === 'error'));
      });
      const answers = channel.seen.slice(before).filter((m) => m.type !== 'progress');
      expect(answers).toHaveLength(1);
      expect(answers[0]?.type === 'error' && answers[0].error.name).toBe('AbortError');
      // An aborted signal stops a run before it is posted.
      await expect(
        client.retrain({ base, corrections: digits(300, 2), signal: controller.signal }),
      ).rejects.toBe(reason);
    },
    SLOW,
  );

  it(
    'rethrows crazy-digits errors with their own code, and wraps the others',
    async () => {
      const empty = await client.retrain({ base, corrections: [] }).catch((e: unknown) => e);
      expect(empty).toBeInstanceOf(NoCorrectionsError);
      expect(isCrazyDigitsError(empty, 'NO_CORRECTIONS')).toBe(true);
      expect(empty).toMatchObject({
        name: 'NoCorrectionsError',
        message: '[crazy-digits] there are no corrections to retrain on',
      });

      await expectCode(client.retrain({ base, corrections: digits(0, 2), mode: 'full' }), 'RETRAIN_CONFIG');

      const broken = await client
        .retrain({ base: { modelTopology: { nonsense: true } }, corrections: digits(0, 2) })
        .catch((e: unknown) => e);
      expect(isCrazyDigitsError(broken, 'RETRAIN_WORKER_FAILED')).toBe(true);
      expect(broken).toHaveProperty('cause', expect.any(Error));

      const webgpu = connect({ ...configuration, backend: 'webgpu' });
      try {
        const unavailable = await webgpu.client
          .retrain({ base, corrections: digits(0, 2) })
          .catch((e: unknown) => e);
        expect(unavailable).toBeInstanceOf(CrazyDigitsError);
        expect(unavailable).toMatchObject({ code: 'BACKEND_UNAVAILABLE', name: 'BackendUnavailableError' });
      } finally {
        webgpu.close();
      }
    },
    SLOW,
  );
});

/** A worker stand-in: the page end of a channel nobody answers on, with `error` events and `terminate`. */
function silentWorker() {
  const { port1, port2 } = new MessageChannel();
  const crashListeners: ((event: MessageEvent) => void)[] = [];
  let terminated = false;
  const worker: RetrainWorkerHandle = {
    postMessage: (message, options) => port1.postMessage(message, options),
    addEventListener(type: string, listener: (event: MessageEvent) => void) {
      if (type === 'message') port1.addEventListener('message', listener);
      else if (type === 'error') crashListeners.push(listener);
    },
    removeEventListener: (type, listener) => port1.removeEventListener(type, listener),
    terminate() {
      terminated = true;
      port1.close();
      port2.close();
    },
  };
  return {
    worker,
    crash: () => {
      for (const listener of crashListeners) listener(new MessageEvent('error'));
    },
    terminated: () => terminated,
  };
}

describe('createWorkerRetrainer', () => {
  it('fails the runs of a crashed worker and starts a new one for the next run', async () => {
    const started: ReturnType<typeof silentWorker>[] = [];
    const retrainer = createRetrainerOn(() => {
      const fake = silentWorker();
      started.push(fake);
      return fake.worker;
    });
    const run = retrainer.retrain({ base, corrections: digits(0, 1) });
    started[0]?.crash();
    await expectCode(run, 'RETRAIN_WORKER_FAILED');
    expect(started[0]?.terminated()).toBe(true);

    const next = retrainer.retrain({ base, corrections: digits(0, 1) });
    expect(started).toHaveLength(2);
    retrainer.dispose();
    await expectCode(next, 'RETRAINER_DISPOSED');
    expect(started[1]?.terminated()).toBe(true);
    await expectCode(retrainer.retrain({ base, corrections: digits(0, 1) }), 'RETRAINER_DISPOSED');
    retrainer.dispose();
  });

  it('keeps a failed worker it was given failed, and explains a worker that cannot start', async () => {
    const fake = silentWorker();
    const given = createRetrainerOn(() => fake.worker, {}, false);
    const run = given.retrain({ base, corrections: digits(0, 1) });
    fake.crash();
    await expectCode(run, 'RETRAIN_WORKER_FAILED');
    await expectCode(given.retrain({ base, corrections: digits(0, 1) }), 'RETRAIN_WORKER_FAILED');
    given.dispose();

    const unstartable = createRetrainerOn(() => {
      throw new TypeError('Invalid URL');
    });
    await expectCode(unstartable.retrain({ base, corrections: digits(0, 1) }), 'RETRAIN_WORKER_FAILED');
    unstartable.dispose();
  });
});
