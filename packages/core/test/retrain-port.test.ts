import {
  MessageChannel as NodeMessageChannel,
  type MessagePort as NodeMessagePort,
} from 'node:worker_threads';
import { expectCode, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPortRetrainer,
  isCrazyDigitsError,
  type LabelledDigit,
  NoCorrectionsError,
  RetrainerDisposedError,
  type RetrainMessagePort,
  type RetrainProgress,
  RetrainWorkerError,
  type RetrainWorkerSetup,
  serveRetrainer,
  useBackend,
} from '../src/index.js';
import { embeddedToArtifacts } from '../src/model/bundle.js';
import { bundledModel } from '../src/model/bundled-model.generated.js';
import type { DigitDataset } from '../src/training/dataset.js';

/** Model loads and training steps run for real; a ceiling for slow machines, not a measurement. */
const SLOW = 120_000;
const base = embeddedToArtifacts(bundledModel);
const train = loadMnist('train', 420);
const dataset = (from: number, count: number): DigitDataset => ({
  images: Float32Array.from(train.images.subarray(from * 784, (from + count) * 784), (v) => v / 255),
  labels: train.labels.slice(from, from + count),
});
const digits = (from: number, count: number): LabelledDigit[] =>
  Array.from({ length: count }, (_, i) => ({
    image: mnistDigit(train, from + i),
    label: train.labels[from + i] ?? 0,
  }));

/** Two training steps and small rehearsal and validation sets: these tests check the protocol. */
const quick: RetrainWorkerSetup = {
  backend: 'wasm',
  retrainer: { minSteps: 2, maxSteps: 2, rehearsal: dataset(0, 200), validation: dataset(200, 200) },
};
const long: RetrainWorkerSetup = {
  ...quick,
  retrainer: { ...quick.retrainer, minSteps: 500, maxSteps: 500 },
};

/** A `worker_threads` port as the protocol sees it; what it receives is also kept in `seen`. */
function wrap(port: NodeMessagePort, seen: unknown[] = []): RetrainMessagePort {
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer),
    listen(onMessage, onClose) {
      const keep = (message: unknown) => seen.push(message) && onMessage(message);
      const closed = () => onClose('its port closed');
      port.on('message', keep).on('close', closed);
      return () => port.off('message', keep).off('close', closed);
    },
    ref: () => port.ref(),
    unref: () => port.unref(),
    close: () => port.close(),
  };
}

/** A client and a server on the two ends of one channel, in this thread. */
function channel(setup: RetrainWorkerSetup = quick) {
  const { port1, port2 } = new NodeMessageChannel();
  const answers: unknown[] = [];
  const stopServing = serveRetrainer(wrap(port2));
  const retrainer = createPortRetrainer(wrap(port1, answers), { setup });
  const close = () => {
    retrainer.dispose();
    stopServing();
  };
  return { retrainer, answers, port2, close };
}

/** The `type` of a message seen on a port. */
const typeOf = (message: unknown) =>
  typeof message === 'object' && message !== null && 'type' in message ? message.type : undefined;

/** Resolves once `check` holds, polling between macrotasks. */
async function until(check: () => boolean) {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Waits for the server's run to wind down, then checks that no tensor outlived it. */
const tensorsBackTo = (baseline: number) => until(() => tf.memory().numTensors === baseline);

let shared: ReturnType<typeof channel>;
let baseline: number;
beforeAll(async () => {
  await useBackend('wasm');
  shared = channel();
  baseline = tf.memory().numTensors;
});
afterAll(() => shared.close());

describe('the retrain protocol over a message port', () => {
  it(
    "runs core's retrainer on the other end: progress, a gated result, the weights moved back",
    async () => {
      const corrections = digits(300, 8);
      const baseBytes = base.weightData instanceof ArrayBuffer ? base.weightData.byteLength : 0;
      const progress: RetrainProgress[] = [];
      const result = await shared.retrainer.retrain({
        base,
        corrections,
        onProgress: (p) => progress.push(p),
      });
      expect(result.metrics).toMatchObject({ steps: 2, correctionsUsed: 8 });
      expect(typeof result.accepted).toBe('boolean');
      expect(progress.map((p) => p.phase)).toEqual(
        expect.arrayContaining(['preparing', 'training', 'validating']),
      );
      expect(progress.at(-1)?.fraction).toBe(1);
      expect(shared.retrainer.backend).toBe('wasm');
      // The candidate's float32 weights arrive whole (the bundled model's are float16); the
      // caller's base and corrections are copied, not detached.
      const weights = result.artifacts.weightData;
      expect(weights instanceof ArrayBuffer && weights.byteLength).toBe(baseBytes * 2);
      expect(base.weightData instanceof ArrayBuffer && base.weightData.byteLength).toBe(baseBytes);
      expect(corrections.every((c) => c.image.length === 784)).toBe(true);
      expect(tf.memory().numTensors).toBe(baseline);
    },
    SLOW,
  );

  it(
    'carries the request’s plain fields there and the accepted candidate’s rehearsal outputs back',
    async () => {
      // The bundled rehearsal and held-out digits: what the caller knows of the base applies to them.
      const { retrainer, close } = channel({
        backend: 'wasm',
        retrainer: {
          minSteps: 2,
          maxSteps: 2,
          gate: { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 },
        },
      });
      try {
        const known = { accuracy: 0.777, recall: new Array<number>(10).fill(0.777), count: 2000 };
        const result = await retrainer.retrain({ base, corrections: digits(300, 4), baseEvaluation: known });
        expect(result.metrics).toMatchObject({
          baseAccuracy: 0.777,
          baseRecall: known.recall,
          heldOutCount: 2000,
        });
        expect(result.accepted).toBe(true);
        expect(result.rehearsal?.probabilities).toHaveLength(10_000);
        expect(result.rehearsal?.features.length).toBe(1000 * 128);
      } finally {
        close();
      }
    },
    SLOW,
  );

  it(
    "aborts the run on the other end and rejects with the signal's reason at once",
    async () => {
      const { retrainer, answers, close } = channel(long);
      try {
        const controller = new AbortController();
        const reason = new Error('user cancelled');
        const run = retrainer.retrain({
          base,
          corrections: digits(300, 8),
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'training') controller.abort(reason);
          },
        });
        await expect(run).rejects.toBe(reason);
        // The server stops at its next step and says so; no result follows.
        await until(() => answers.some((m) => typeOf(m) === 'error'));
        expect(answers.filter((m) => typeOf(m) === 'result')).toEqual([]);
        await tensorsBackTo(baseline);
        await expect(
          retrainer.retrain({ base, corrections: digits(300, 2), signal: controller.signal }),
        ).rejects.toBe(reason);
      } finally {
        close();
      }
      // The aborted run is dropped: the next one on the shared channel completes.
      const next = await shared.retrainer.retrain({ base, corrections: digits(300, 1) });
      expect(next.metrics.steps).toBe(2);
    },
    SLOW,
  );

  it(
    'brings errors back with their code, class and cause',
    async () => {
      const empty = await shared.retrainer.retrain({ base, corrections: [] }).catch((e: unknown) => e);
      expect(empty).toBeInstanceOf(NoCorrectionsError);
      expect(empty).toMatchObject({
        name: 'NoCorrectionsError',
        message: '[crazy-digits] there are no corrections to retrain on',
      });
      await expectCode(
        shared.retrainer.retrain({ base, corrections: digits(0, 2), mode: 'full' }),
        'RETRAIN_CONFIG',
      );

      const broken = await shared.retrainer
        .retrain({ base: { modelTopology: { nonsense: true } }, corrections: digits(0, 2) })
        .catch((e: unknown) => e);
      expect(broken).toBeInstanceOf(RetrainWorkerError);
      expect(broken).toHaveProperty('cause', expect.any(Error));

      const webgpu = channel({ ...quick, backend: 'webgpu' });
      try {
        const unavailable = await webgpu.retrainer
          .retrain({ base, corrections: digits(0, 2) })
          .catch((e: unknown) => e);
        expect(isCrazyDigitsError(unavailable, 'BACKEND_UNAVAILABLE')).toBe(true);
        expect(unavailable).toMatchObject({ name: 'BackendUnavailableError' });
        // Why the backend's package could not load, as the other end saw it.
        expect(unavailable).toHaveProperty('cause', expect.any(Error));
        expect(unavailable).toHaveProperty('cause.message', expect.stringMatching(/tfjs-backend-webgpu/));
      } finally {
        webgpu.close();
      }
      expect(tf.memory().numTensors).toBe(baseline);
    },
    SLOW,
  );

  it(
    'rejects pending runs on dispose, and every run after, and frees the other end',
    async () => {
      const { retrainer, port2 } = channel(long);
      let serverClosed = false;
      port2.on('close', () => {
        serverClosed = true;
      });
      const run = retrainer
        .retrain({
          base,
          corrections: digits(300, 8),
          onProgress: (p) => {
            if (p.phase === 'training') retrainer.dispose();
          },
        })
        .catch((e: unknown) => e);
      expect(await run).toBeInstanceOf(RetrainerDisposedError);
      await expect(retrainer.retrain({ base, corrections: digits(0, 1) })).rejects.toBeInstanceOf(
        RetrainerDisposedError,
      );
      await until(() => serverClosed);
      await tensorsBackTo(baseline);
      retrainer.dispose();
    },
    SLOW,
  );

  it(
    'fails pending runs when the other end closes, and opens a new port for the next run',
    async () => {
      const ends: NodeMessagePort[] = [];
      const retrainer = createPortRetrainer(
        () => {
          const { port1, port2 } = new NodeMessageChannel();
          serveRetrainer(wrap(port2));
          ends.push(port2);
          return wrap(port1);
        },
        { setup: long },
      );
      try {
        const run = retrainer.retrain({
          base,
          corrections: digits(300, 8),
          onProgress: (p) => {
            if (p.phase === 'training') ends[0]?.close();
          },
        });
        await expectCode(run, 'RETRAIN_WORKER_FAILED');
        await expect(run).rejects.toThrow(/its port closed/);
        await tensorsBackTo(baseline);
        const next = await retrainer
          .retrain({ base, corrections: digits(0, 2), mode: 'full' })
          .catch((e: unknown) => e);
        expect(ends).toHaveLength(2);
        expect(isCrazyDigitsError(next, 'RETRAIN_CONFIG')).toBe(true);
      } finally {
        retrainer.dispose();
      }
    },
    SLOW,
  );

  it(
    'keeps a port it was given failed once it closed',
    async () => {
      const { retrainer, port2, close } = channel();
      try {
        const run = retrainer.retrain({ base, corrections: digits(0, 1) });
        port2.close();
        await expectCode(run, 'RETRAIN_WORKER_FAILED');
        await expectCode(retrainer.retrain({ base, corrections: digits(0, 1) }), 'RETRAIN_WORKER_FAILED');
        await tensorsBackTo(baseline);
      } finally {
        close();
      }
    },
    SLOW,
  );
});
