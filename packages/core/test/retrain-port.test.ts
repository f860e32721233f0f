import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expectCode, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RetrainProgress, useBackend } from '../src/index.js';
import { loadBundledModel } from '../src/model/bundled-model.js';
import { createPreparingRetrainer } from '../src/retrain/create-retrainer.js';
import { knowledgeOf, withKnowledge } from '../src/retrain/knowledge.js';
import {
  createPortRetrainer,
  type LabelledDigit,
  NoCorrectionsError,
  RetrainerDisposedError,
  type RetrainMessagePort,
  RetrainWorkerError,
  type RetrainWorkerSetup,
  serveRetrainer,
} from '../src/store-kit.js';
import type { DigitDataset } from '../src/training/dataset.js';

/** Model loads and training steps run for real; a ceiling for slow machines, not a measurement. */
const SLOW = 120_000;
const { artifacts } = await loadBundledModel();
const base = { artifacts };
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

/** Small rehearsal and validation sets: these tests check the protocol, not what it learns. */
const steps = (count: number): RetrainWorkerSetup => ({
  backend: 'wasm',
  retrainer: { maxSteps: count, rehearsal: dataset(0, 200), validation: dataset(200, 200) },
});
const quick = steps(2);
const long = steps(500);

/** A `worker_threads` port as the protocol sees it; what it receives is also kept in `seen`. */
function wrap(port: MessagePort, seen: unknown[] = []): RetrainMessagePort {
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
  const { port1, port2 } = new MessageChannel();
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

/** Waits, polling between macrotasks, until `check` holds or 20 s have passed. */
async function waitFor(check: () => boolean) {
  const deadline = Date.now() + 20_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The other end stops a cancelled run at its next step; once it has, no tensor may be left. */
async function expectTensorsBackTo(baseline: number) {
  await waitFor(() => tf.memory().numTensors === baseline);
  expect(tf.memory().numTensors).toBe(baseline);
}

let shared: ReturnType<typeof channel>;
let baseline: number;
beforeAll(async () => {
  await useBackend('wasm');
  shared = channel();
  baseline = tf.memory().numTensors;
});
afterAll(() => shared.close());

describe('the retrain protocol over a message port', { timeout: SLOW }, () => {
  it("runs core's retrainer on the other end: progress, a gated result, the weights moved back", async () => {
    const corrections = digits(300, 8);
    const baseBytes = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData.byteLength : 0;
    const progress: RetrainProgress[] = [];
    const result = await shared.retrainer.retrain({
      base,
      corrections,
      onProgress: (p) => progress.push(p),
    });
    expect(result.metrics).toMatchObject({ steps: 2, correctionsUsed: 8 });
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['preparing', 'training', 'validating']));
    // Each step's loss crosses with its progress event; so does the per-digit picture of the run.
    const losses = progress.filter((p) => p.phase === 'training').map((p) => p.loss);
    expect(losses).toHaveLength(2);
    for (const loss of losses) expect(loss).toBeGreaterThan(0);
    expect(result.metrics.correctionsByDigit?.count.reduce((a, b) => a + b)).toBe(8);
    expect(shared.retrainer.backend).toBe('wasm');
    // The candidate's float32 weights arrive whole (the bundled model's are stored smaller); the
    // caller's base and corrections are copied, not detached.
    const weights = result.candidate.artifacts.weightData;
    const parameters = (artifacts.weightSpecs ?? []).reduce(
      (sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect(weights instanceof ArrayBuffer && weights.byteLength).toBe(parameters * 4);
    expect(artifacts.weightData instanceof ArrayBuffer && artifacts.weightData.byteLength).toBe(baseBytes);
    expect(corrections.every((c) => c.image.length === 784)).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('carries the request’s plain fields there and the accepted candidate’s rehearsal outputs back', async () => {
    // The bundled rehearsal and held-out digits: what the caller knows of the base applies to them.
    const gate = { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 };
    const { retrainer, close } = channel({ backend: 'wasm', retrainer: { maxSteps: 2, gate } });
    try {
      const known = { accuracy: 0.777, recall: new Array<number>(10).fill(0.777), count: 2000 };
      const result = await retrainer.retrain({
        base: withKnowledge(artifacts, { evaluation: known }),
        corrections: digits(300, 4),
      });
      expect(result.metrics).toMatchObject({
        baseAccuracy: 0.777,
        baseRecall: known.recall,
        heldOutCount: 2000,
      });
      expect(result.accepted).toBe(true);
      expect(knowledgeOf(result.candidate).rehearsal?.probabilities).toHaveLength(10_000);
      expect(knowledgeOf(result.candidate).rehearsal?.features?.length).toBe(1000 * 128);
    } finally {
      close();
    }
  });

  it("aborts the run on the other end and rejects with the signal's reason at once", async () => {
    const { retrainer, answers, close } = channel(long);
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    try {
      const run = retrainer.retrain({
        base,
        corrections: digits(300, 8),
        signal: controller.signal,
        onProgress: (p) => p.phase === 'training' && controller.abort(reason),
      });
      await expect(run).rejects.toBe(reason);
      // The other end stops at its next step and says so; no result follows.
      await waitFor(() => answers.some((m) => typeOf(m) === 'error'));
      expect(answers.map(typeOf).filter((type) => type !== 'progress')).toEqual(['error']);
      await expectTensorsBackTo(baseline);
      const late = retrainer.retrain({ base, corrections: digits(300, 2), signal: controller.signal });
      await expect(late).rejects.toBe(reason);
    } finally {
      close();
    }
    // The aborted run is dropped: the next one on the shared channel completes.
    const next = await shared.retrainer.retrain({ base, corrections: digits(300, 1) });
    expect(next.metrics.steps).toBe(2);
  });

  it('warms the other end before any run: the setup posted once, a failure left to the run', async () => {
    const { port1, port2 } = new MessageChannel();
    const received: unknown[] = [];
    const stopServing = serveRetrainer(wrap(port2, received));
    const retrainer = createPortRetrainer(wrap(port1), { setup: quick });
    try {
      retrainer.warm();
      retrainer.warm();
      await waitFor(() => received.length > 0);
      expect(received.map(typeOf)).toEqual(['setup']);
      const result = await retrainer.retrain({ base, corrections: digits(300, 4) });
      expect(result.metrics.correctionsUsed).toBe(4);
      expect(received.map(typeOf)).toEqual(['setup', 'retrain']);
    } finally {
      retrainer.dispose();
      stopServing();
    }

    const webgpu = channel({ ...quick, backend: 'webgpu' });
    try {
      // Warming reports nothing (no throw, no unhandled rejection); the run says what failed.
      webgpu.retrainer.warm();
      await expectCode(webgpu.retrainer.retrain({ base, corrections: digits(0, 2) }), 'BACKEND_UNAVAILABLE');
    } finally {
      webgpu.close();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it(
    'sends a base it is warmed with ahead of the runs, once: the run names it by key and gives the same result',
    async () => {
      const { port1, port2 } = new MessageChannel();
      const received: unknown[] = [];
      const stopServing = serveRetrainer(wrap(port2, received));
      const retrainer = createPortRetrainer(wrap(port1), { setup: quick });
      const unwarmed = channel();
      try {
        const corrections = digits(300, 4);
        retrainer.warm(base);
        retrainer.warm(base);
        await waitFor(() => received.length >= 2);
        expect(received.map(typeOf)).toEqual(['setup', 'prepare']);
        const warmed = await retrainer.retrain({ base, corrections });
        expect(received.map(typeOf)).toEqual(['setup', 'prepare', 'retrain']);
        const call = received[2] as { base: { key: number; artifacts?: unknown } };
        expect(call.base.artifacts).toBeUndefined();
        expect(call.base.key).toBe((received[1] as { base: { key: number } }).base.key);
        const cold = await unwarmed.retrainer.retrain({ base, corrections });
        const { durationMs: _a, ...warmedMetrics } = warmed.metrics;
        const { durationMs: _b, ...coldMetrics } = cold.metrics;
        expect(warmedMetrics).toEqual(coldMetrics);
        expect(warmed.accepted).toBe(cold.accepted);
      } finally {
        retrainer.dispose();
        stopServing();
        unwarmed.close();
      }
      expect(tf.memory().numTensors).toBe(baseline);
    },
    SLOW,
  );

  it(
    'makes the frozen outputs of a prepared base between runs, so that its run passes only its own digits',
    async () => {
      /** Digits the run puts through the network's first layer: batch sizes of 28x28x1 inputs. */
      const firstLayerDigits = async (work: () => Promise<unknown>) => {
        const profile = await tf.profile(async () => {
          await work();
          return [];
        });
        return profile.kernels
          .filter((k) => k.name.includes('Conv2D') && k.inputShapes[0]?.slice(1).join('x') === '28x28x1')
          .reduce((sum, k) => sum + (k.inputShapes[0]?.[0] ?? 0), 0);
      };
      const options = quick.retrainer ?? {};
      const corrections = digits(300, 4);
      const cold = createPreparingRetrainer(options);
      const prepared = createPreparingRetrainer(options);
      try {
        const coldRun = await firstLayerDigits(() => cold.retrain({ base, corrections }));
        await prepared.prepare(base);
        const preparedRun = await firstLayerDigits(() => prepared.retrain({ base, corrections }));
        // The 200 validation and 200 rehearsal digits go through the frozen layers once, ahead.
        expect(coldRun - preparedRun).toBe(400);
      } finally {
        cold.dispose();
        prepared.dispose();
      }
      expect(tf.memory().numTensors).toBe(baseline);
    },
    SLOW,
  );

  it('brings errors back with their code, class and cause', async () => {
    const empty = shared.retrainer.retrain({ base, corrections: [] });
    await expect(empty).rejects.toBeInstanceOf(NoCorrectionsError);
    await expect(empty).rejects.toThrow('[crazy-digits] there are no corrections to retrain on');
    const full = shared.retrainer.retrain({ base, corrections: digits(0, 2), mode: 'full' });
    await expectCode(full, 'RETRAIN_CONFIG');

    const nonsense = { modelTopology: { nonsense: true } };
    const broken = shared.retrainer.retrain({ base: { artifacts: nonsense }, corrections: digits(0, 2) });
    await expect(broken).rejects.toBeInstanceOf(RetrainWorkerError);
    await expect(broken).rejects.toHaveProperty('cause', expect.any(Error));

    const webgpu = channel({ ...quick, backend: 'webgpu' });
    try {
      const unavailable = webgpu.retrainer.retrain({ base, corrections: digits(0, 2) });
      await expectCode(unavailable, 'BACKEND_UNAVAILABLE');
      await expect(unavailable).rejects.toHaveProperty('name', 'BackendUnavailableError');
      // Why the backend's package could not load, as the other end saw it.
      await expect(unavailable).rejects.toHaveProperty('cause.message', expect.stringMatching(/webgpu/));
    } finally {
      webgpu.close();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('rejects pending runs on dispose, and every run after, and closes the other end', async () => {
    const { retrainer, port2 } = channel(long);
    const otherEndClosed = new Promise((resolve) => port2.once('close', resolve));
    const run = retrainer.retrain({
      base,
      corrections: digits(300, 8),
      onProgress: (p) => p.phase === 'training' && retrainer.dispose(),
    });
    await expect(run).rejects.toBeInstanceOf(RetrainerDisposedError);
    await expect(retrainer.retrain({ base, corrections: digits(0, 1) })).rejects.toBeInstanceOf(
      RetrainerDisposedError,
    );
    await otherEndClosed;
    await expectTensorsBackTo(baseline);
  });

  it('fails pending runs when the other end closes, and opens a new port for the next run', async () => {
    const ends: MessagePort[] = [];
    const open = () => {
      const { port1, port2 } = new MessageChannel();
      serveRetrainer(wrap(port2));
      ends.push(port2);
      return wrap(port1);
    };
    const retrainer = createPortRetrainer(open, { setup: long });
    try {
      const run = retrainer.retrain({
        base,
        corrections: digits(300, 8),
        onProgress: (p) => p.phase === 'training' && ends[0]?.close(),
      });
      await expectCode(run, 'RETRAIN_WORKER_FAILED');
      await expect(run).rejects.toThrow(/its port closed/);
      await expectTensorsBackTo(baseline);
      // An answer, on a new port.
      await expectCode(
        retrainer.retrain({ base, corrections: digits(0, 2), mode: 'full' }),
        'RETRAIN_CONFIG',
      );
      expect(ends).toHaveLength(2);
    } finally {
      retrainer.dispose();
    }
  });

  it('keeps a port it was given failed once it closed', async () => {
    const { retrainer, port2 } = channel();
    const run = retrainer.retrain({ base, corrections: digits(0, 1) });
    port2.close();
    await expectCode(run, 'RETRAIN_WORKER_FAILED');
    await expectCode(retrainer.retrain({ base, corrections: digits(0, 1) }), 'RETRAIN_WORKER_FAILED');
    await expectTensorsBackTo(baseline);
  });
});
