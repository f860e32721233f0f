/** Options every benchmark receives from the dispatcher. */
export interface BenchOptions {
  /** Print one JSON object per figure instead of a table. */
  json: boolean;
  /** The command-line arguments after the benchmark name, without `--json`. */
  args: string[];
}

export interface BenchModule {
  run(options: BenchOptions): Promise<void>;
}

export interface BenchEntry {
  description: string;
  load(): Promise<BenchModule>;
}

/** Every benchmark `npm run bench` knows, by name. */
export const benchmarks: Record<string, BenchEntry> = {
  accuracy: {
    description: 'MNIST test accuracy and the canvas benchmark, through the public predict API',
    load: () => import('./accuracy.js'),
  },
  learning: {
    description: 'correct(): instant effect on the input and its variants, collateral changes, speed',
    load: () => import('./learning.js'),
  },
  consolidation: {
    description:
      'retrain(): speed on 50 corrections, forgetting after 500, a 30% label-flip attack, tensor hygiene',
    load: () => import('./consolidation.js'),
  },
  'simulated-writers': {
    description:
      'simulated (synthetic) hard writers: misread digits when each error is corrected vs never (a development aid)',
    load: () => import('./simulated-writers.js'),
  },
  'real-writers': {
    description:
      'real pen-drawn digits (--data <digits.jsonl.gz>): canvas accuracy on writers not trained on; predict-then-correct streams',
    load: () => import('./real-writers.js'),
  },
  numbers: {
    description:
      'handwritten multi-digit numbers from real pen digits (--data <digits.jsonl.gz>): readNumber accuracy by spacing, latency, correctNumber',
    load: () => import('./numbers.js'),
  },
  decode: {
    description:
      'decodeImage: rejecting a 65535x65535-header PNG (median/p95, peak RSS), 280x280 PNG/JPEG decode',
    load: () => import('./decode.js'),
  },
  durability: {
    description:
      'SIGKILLed writers: acknowledged corrections lost (must be 0), model saves, add() latency with fsync',
    load: () => import('./durability.js'),
  },
  latency: {
    description: 'predict on a 280x280 RGBA canvas: median and p95, preprocessing vs model',
    load: () => import('./latency.js'),
  },
  server: {
    description:
      'examples/node-server under autocannon: predictions/s and p50/p99 latency, idle and during a retrain',
    load: () => import('./server.js'),
  },
  cluster: {
    description:
      'two node-server instances on one PostgreSQL: a correction on A seen by B, one retrain for two requests, SIGKILL during corrections, adds/s',
    load: () => import('./cluster.js'),
  },
  'training-parallel': {
    description: 'training samples/s on one thread vs with worker_threads gradient workers (both cores)',
    load: () => import('./training-parallel.js'),
  },
  uncertainty: {
    description: 'share of digits vs scribbles flagged uncertain at each confidence threshold',
    load: () => import('./uncertainty.js'),
  },
  'browser-retrain': {
    description:
      'retraining in Chromium with createWorkerRetrainer: longest main-thread task (target ≤ 50 ms), run time',
    load: () => import('./browser-retrain.js'),
  },
  'browser-backends': {
    description:
      'which backend serves the model best in headless Chromium: predict latency and training samples/s on wasm, webgl, webgpu',
    load: () => import('./browser-backends.js'),
  },
  'web-demo': {
    description:
      'the web demo in Chromium: first prediction, and the first and later corrections shown after a click (target ≤ 150 ms)',
    load: () => import('./web-demo.js'),
  },
  training: {
    description:
      'training samples/s: wasm with our kernels vs stock wasm and stock cpu, shipped and seed CNNs',
    load: () => import('./training.js'),
  },
};
