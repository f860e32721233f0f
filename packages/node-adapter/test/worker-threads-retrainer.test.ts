import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createRecognizer,
  exportModel,
  importModel,
  isCrazyDigitsError,
  type Retrainer,
  type RetrainProgress,
  useBackend,
} from '@crazy-digits/core';
import type { BaseModel } from '@crazy-digits/core/store-kit';
import { type LabelledDigit, NoCorrectionsError, RetrainerDisposedError } from '@crazy-digits/core/store-kit';
import { createDigitModel } from '@crazy-digits/core/training';
import { expectNoLeakedTensors, loadMnist, mnistDigit } from '@crazy-digits/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeOf, withKnowledge } from '../../core/src/retrain/knowledge.js';
import { createWorkerThreadsRetrainer, RetrainWorkerError } from '../src/index.js';
import { createWorkerThreadsRetrainerOn } from '../src/retrain/worker-threads-retrainer.js';

const set = loadMnist('train', 8);
const corrections: LabelledDigit[] = Array.from(set.labels, (label, i) => ({
  image: mnistDigit(set, i),
  label,
}));

/** Threads of this process at nice 19, from /proc (Linux). */
function lowestPriorityThreads(): number {
  return readdirSync('/proc/self/task').filter((thread) => {
    const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
    // nice is field 19 of stat(5), the 17th after the command name.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16] === '19';
  }).length;
}

/** Counts turns of the event loop until stopped: a blocked loop counts none. */
function countTicks(): () => number {
  let ticks = 0;
  let running = true;
  const tick = () => {
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    running = false;
    return ticks;
  };
}

describe('createWorkerThreadsRetrainer', () => {
  let base: BaseModel;
  let retrainer: Retrainer;

  beforeAll(async () => {
    await useBackend('wasm');
    const model = createDigitModel({ seed: 1 });
    base = { artifacts: await exportModel(model) };
    model.dispose();
    retrainer = createWorkerThreadsRetrainer({ maxSteps: 2, backend: 'wasm' });
  });

  afterAll(() => {
    retrainer.dispose();
  });

  it('retrains in the worker, reporting progress, while the event loop keeps turning', {
    timeout: 180_000,
  }, async () => {
    const progress: RetrainProgress[] = [];
    const stop = countTicks();
    const result = await expectNoLeakedTensors(() =>
      retrainer.retrain({ base, corrections, onProgress: (p) => progress.push(p) }),
    );
    const ticks = stop();
    expect(result.metrics.steps).toBe(2);
    expect(result.metrics.correctionsUsed + result.metrics.correctionsDisputed).toBe(corrections.length);
    expect(result.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(typeof result.accepted).toBe('boolean');
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['preparing', 'training', 'validating']),
    );
    expect(progress.at(-1)?.fraction).toBe(1);
    // On this thread the run is a few awaits; in the worker, the loop turns throughout it.
    expect(ticks).toBeGreaterThan(100);
    const candidate = await importModel(result.candidate.artifacts);
    expect(candidate.outputs[0]?.shape).toEqual([null, 10]);
    candidate.dispose();
  });

  it('passes what the caller knows of the base to the worker, and the accepted candidate’s rehearsal outputs back', {
    timeout: 180_000,
  }, async () => {
    const lenient = createWorkerThreadsRetrainer({
      maxSteps: 2,
      backend: 'wasm',
      gate: { maxAccuracyDrop: 1, maxRecallDrop: 1, minCorrectionsFit: 0 },
    });
    try {
      const known = { accuracy: 0.777, recall: new Array<number>(10).fill(0.777), count: 2000 };
      const result = await lenient.retrain({
        base: withKnowledge(base.artifacts, { evaluation: known }),
        corrections,
      });
      expect(result.metrics.baseAccuracy).toBe(0.777);
      expect(result.metrics.baseRecall).toEqual(known.recall);
      expect(result.metrics.heldOutCount).toBe(2000);
      expect(result.accepted).toBe(true);
      // The 1,000 bundled rehearsal digits: features of the last layer's input, and probabilities.
      expect(knowledgeOf(result.candidate).rehearsal?.probabilities).toHaveLength(10_000);
      expect((knowledgeOf(result.candidate).rehearsal?.features?.length ?? 0) % 1000).toBe(0);
      expect(knowledgeOf(result.candidate).rehearsal?.features?.length).toBeGreaterThan(0);
    } finally {
      lenient.dispose();
    }
  });

  it('leaves the caller’s base and corrections intact (it copies, never transfers them)', {
    timeout: 180_000,
  }, async () => {
    const weights = base.artifacts.weightData;
    const bytes = weights instanceof ArrayBuffer ? weights.byteLength : -1;
    await retrainer.retrain({ base, corrections: corrections.slice(0, 2) });
    expect(weights instanceof ArrayBuffer ? weights.byteLength : -2).toBe(bytes);
    expect(corrections[0]?.image.length).toBe(784);
  });

  it.runIf(process.platform === 'linux')(
    'runs its thread at the lowest CPU priority, unless lowPriority is false',
    { timeout: 60_000 },
    async () => {
      const before = lowestPriorityThreads();
      const polite = createWorkerThreadsRetrainer({ maxSteps: 1, backend: 'wasm' });
      const greedy = createWorkerThreadsRetrainer({
        maxSteps: 1,
        backend: 'wasm',
        lowPriority: false,
      });
      try {
        await greedy.retrain({ base, corrections: corrections.slice(0, 2) });
        expect(lowestPriorityThreads()).toBe(before);
        await polite.retrain({ base, corrections: corrections.slice(0, 2) });
        expect(lowestPriorityThreads()).toBeGreaterThan(before);
      } finally {
        polite.dispose();
        greedy.dispose();
      }
    },
  );

  it('re-creates typed errors from the worker with their code', { timeout: 60_000 }, async () => {
    const none = await retrainer.retrain({ base, corrections: [] }).catch((error: unknown) => error);
    expect(none).toBeInstanceOf(NoCorrectionsError);
    expect(isCrazyDigitsError(none, 'NO_CORRECTIONS')).toBe(true);
    expect(String(none)).toContain('[crazy-digits]');
    const full = await retrainer
      .retrain({ base, corrections, mode: 'full' })
      .catch((error: unknown) => error);
    expect(isCrazyDigitsError(full, 'RETRAIN_CONFIG')).toBe(true);
  });

  it('aborts a run in the worker, then serves the next one', { timeout: 60_000 }, async () => {
    const long = createWorkerThreadsRetrainer({ maxSteps: 500, backend: 'wasm' });
    try {
      const controller = new AbortController();
      const reason = new Error('stop');
      const steps: number[] = [];
      const failure = await long
        .retrain({
          base,
          corrections,
          signal: controller.signal,
          onProgress: (progress) => {
            if (progress.phase !== 'training') return;
            steps.push(progress.step);
            controller.abort(reason);
          },
        })
        .catch((error: unknown) => error);
      expect(failure).toBe(reason);
      expect(steps.length).toBeGreaterThan(0);
      const already = await long
        .retrain({ base, corrections, signal: AbortSignal.abort(reason) })
        .catch((error: unknown) => error);
      expect(already).toBe(reason);
      // The worker dropped the aborted run: a short one on the same worker completes.
      const next = await retrainer.retrain({ base, corrections: corrections.slice(0, 1) });
      expect(next.metrics.steps).toBe(2);
    } finally {
      long.dispose();
    }
  });

  it('rejects pending runs on dispose, and every run after', { timeout: 60_000 }, async () => {
    const doomed = createWorkerThreadsRetrainer({ maxSteps: 500, backend: 'wasm' });
    const run = doomed
      .retrain({
        base,
        corrections,
        onProgress: (progress) => {
          if (progress.phase === 'training') doomed.dispose();
        },
      })
      .catch((error: unknown) => error);
    expect(await run).toBeInstanceOf(RetrainerDisposedError);
    await expect(doomed.retrain({ base, corrections })).rejects.toBeInstanceOf(RetrainerDisposedError);
    doomed.dispose();
  });

  it('turns a crashed worker into RetrainWorkerError', { timeout: 30_000 }, async () => {
    const crashing = createWorkerThreadsRetrainerOn(
      new URL('./fixtures/crashing-retrain-worker.ts', import.meta.url),
    );
    try {
      const failure = await crashing.retrain({ base, corrections }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RetrainWorkerError);
      expect(isCrazyDigitsError(failure, 'RETRAIN_WORKER_FAILED')).toBe(true);
      expect(String(failure)).toMatch(/exited with code 3/);
    } finally {
      crashing.dispose();
    }
  });

  it('serves as a recogniser’s retrainer', { timeout: 60_000 }, async () => {
    const recognizer = await createRecognizer({ backend: 'wasm', retrainer });
    try {
      for (const correction of corrections.slice(0, 3))
        await recognizer.correct(correction.image, correction.label);
      const outcome = await recognizer.retrain();
      expect(outcome.corrections).toBe(3);
      expect(outcome.metrics.steps).toBe(2);
      // Predictions keep working after the swap (or the rejection).
      const prediction = await recognizer.predict(corrections[0]?.image ?? new Float32Array(784));
      expect(prediction.probabilities).toHaveLength(10);
    } finally {
      recognizer.dispose();
    }
  });

  it('lets the process exit after a run without dispose()', { timeout: 60_000 }, async () => {
    const script = fileURLToPath(new URL('./fixtures/retrain-without-dispose.ts', import.meta.url));
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, script], {
      timeout: 50_000,
    });
    expect(stdout).toContain('steps 2');
  });
});
