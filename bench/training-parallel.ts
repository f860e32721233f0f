/**
 * Training throughput on one thread vs with `worker_threads` gradient workers: samples/s of
 * `trainDigitModel` (momentum SGD, augmentation on) for each architecture and worker count,
 * measured in one process so the figures compare as a ratio.
 */
import { useBackend } from '../packages/core/src/backend/index.js';
import { type Architecture, createDigitModel } from '../packages/core/src/model/index.js';
import { trainDigitModel } from '../packages/core/src/training/train.js';
import { createWorkerThreadsGradientPool } from '../packages/node-adapter/src/index.js';
import { loadMnist } from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';

/** Options for {@link measureParallelTraining}. */
export interface ParallelTrainingBenchOptions {
  /** Default `['compact', 'seed']`. */
  architectures?: Architecture[];
  /** Gradient workers beside the training thread; 0 trains without a pool. Default `[0, 1]`. */
  workers?: number[];
  /** Timed steps per configuration. Default 100. */
  steps?: number;
  /** Untimed steps first (worker start-up, wasm warm-up). Default 10. */
  warmupSteps?: number;
  /** Default 64. */
  batchSize?: number;
}

/** One configuration's throughput. */
export interface ParallelTrainingFigure {
  architecture: Architecture;
  workers: number;
  /** Digits per second over the timed steps. */
  samplesPerSecond: number;
  /** Median wall time of one timed step. */
  medianStepMs: number;
  /**
   * CPU time of the whole process (all threads) over wall time, during the timed steps: how many
   * cores the run kept busy. Below the thread count when other processes compete for the cores.
   */
  coresUsed: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Trains each architecture with each worker count on MNIST digits (augmentation on) and reports
 * samples/s after warm-up. Selects the wasm backend with the training kernels.
 */
export async function measureParallelTraining(
  options: ParallelTrainingBenchOptions = {},
): Promise<ParallelTrainingFigure[]> {
  const { architectures = ['compact', 'seed'], workers = [0, 1], steps = 100, batchSize = 64 } = options;
  const warmupSteps = Math.max(1, options.warmupSteps ?? 10);
  await useBackend('wasm');
  const set = loadMnist('train', (steps + warmupSteps) * batchSize);
  const data = { images: Float32Array.from(set.images, (v) => v / 255), labels: set.labels };
  const figures: ParallelTrainingFigure[] = [];
  for (const architecture of architectures) {
    for (const count of workers) {
      const model = createDigitModel({ architecture });
      const pool = count > 0 ? createWorkerThreadsGradientPool({ workers: count }) : undefined;
      const ends: number[] = [];
      let cpuSeconds = Number.NaN;
      let cpuAtStart = process.cpuUsage();
      try {
        await trainDigitModel(model, data, {
          epochs: 1,
          batchSize,
          ...(pool ? { gradientPool: pool } : {}),
          onProgress: () => {
            ends.push(performance.now());
            if (ends.length === warmupSteps) cpuAtStart = process.cpuUsage();
            const cpu = process.cpuUsage(cpuAtStart);
            cpuSeconds = (cpu.user + cpu.system) / 1e6;
          },
        });
      } finally {
        await pool?.dispose();
        model.dispose();
      }
      const timed = ends.slice(warmupSteps - 1);
      const durations = timed.slice(1).map((end, i) => end - (timed[i] ?? end));
      const seconds = ((timed.at(-1) ?? 0) - (timed[0] ?? 0)) / 1000;
      figures.push({
        architecture,
        workers: count,
        samplesPerSecond: (durations.length * batchSize) / seconds,
        medianStepMs: median(durations),
        coresUsed: cpuSeconds / seconds,
      });
    }
  }
  return figures;
}

/** `npm run bench -- training-parallel [--json]`. */
export async function run({ json }: BenchOptions): Promise<void> {
  const figures = await measureParallelTraining();
  for (const figure of figures) {
    const alone = figures.find((f) => f.architecture === figure.architecture && f.workers === 0);
    const speedup = alone ? figure.samplesPerSecond / alone.samplesPerSecond : Number.NaN;
    if (json) {
      console.log(
        JSON.stringify({
          bench: 'training-parallel',
          metric: `${figure.architecture}.workers${figure.workers}.samplesPerSecond`,
          value: figure.samplesPerSecond,
          unit: 'samples/s',
          medianStepMs: figure.medianStepMs,
          coresUsed: figure.coresUsed,
          speedup,
        }),
      );
    } else {
      console.log(
        `${figure.architecture.padEnd(8)} workers ${figure.workers}  ${figure.samplesPerSecond.toFixed(0).padStart(5)} samples/s  median step ${figure.medianStepMs.toFixed(1)} ms  ${figure.coresUsed.toFixed(2)} cores  x${speedup.toFixed(2)}`,
      );
    }
  }
}
