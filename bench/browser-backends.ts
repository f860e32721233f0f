/**
 * `npm run bench -- browser-backends [--json] [--calls 200] [--steps 20] [--batch 32] [--gpu-args "…"]`
 *
 * Which TensorFlow.js backend serves this model best in headless Chromium: `predict` latency on a
 * 280x280 RGBA canvas (median and p95 over `--calls` warm calls, a recogniser with the bundled
 * model) and training throughput (samples/s of the compact CNN, Adam, `--batch` MNIST digits a
 * step, over `--steps` steps after a warm-up step), on 'wasm' (with core's training kernels),
 * 'webgl' and 'webgpu', each in a freshly loaded page. A backend that does not initialise is
 * reported, not measured. Chromium runs with the test harness's `--disable-gpu` unless
 * `--gpu-args` gives other switches (e.g. `--enable-unsafe-swiftshader`, or "" for none); the
 * WebGL renderer is reported, so software rendering (SwiftShader) shows. Needs a Chromium binary.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { chromiumPath, noChromiumReason, openBrowserPage } from '../packages/test-utils/src/browser.js';
import { loadMnist, mnistDigit } from '../packages/test-utils/src/mnist.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

const BACKENDS = ['wasm', 'webgl', 'webgpu'] as const;

/** What the page measured on one backend. */
interface BackendFigures {
  backend: string;
  /** Why the backend could not be used; nothing else is set then. */
  unavailable?: string;
  /** The WebGL renderer string (SwiftShader means software rendering). */
  renderer?: string;
  /** Whether `navigator.gpu` gave an adapter (WebGPU at all). */
  gpuAdapter?: boolean;
  predictMs?: number[];
  trainSamplesPerSecond?: number;
  leakedTensors?: number;
  leakedByPredict?: number;
}

interface PageRequest {
  backend: string;
  wasmPaths: string;
  digits: number[][];
  labels: number[];
  calls: number;
  steps: number;
  batch: number;
}

declare global {
  interface Window {
    backendsPage: { measure(request: PageRequest): Promise<BackendFigures> };
  }
}

const PAGE: Record<string, string> = {
  'index.html': `<!doctype html>
<html>
  <body>
    <canvas width="280" height="280"></canvas>
    <script type="module" src="/main.ts"></script>
  </body>
</html>`,
  'main.ts': `import { createRecognizer, useBackend } from '@crazy-digits/core';
import { createDigitModel } from '@crazy-digits/core/training';
import { canvasBenchmarkOptions, drawDigitOnCanvas } from 'bench-canvas';
import * as tf from 'page-tfjs';

function webglRenderer() {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (!gl) return 'no WebGL context';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

async function gpuAdapter() {
  if (!('gpu' in navigator)) return false;
  try {
    return (await navigator.gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

async function measure({ backend, wasmPaths, digits, labels, calls, steps, batch }) {
  const figures = { backend, renderer: webglRenderer(), gpuAdapter: await gpuAdapter() };
  try {
    await useBackend(backend, { wasmPaths });
  } catch (error) {
    const cause = error?.cause?.message ? ': ' + error.cause.message : '';
    return { ...figures, unavailable: String(error?.message ?? error) + cause };
  }
  const tensorsAtStart = tf.memory().numTensors;

  // Predict: canvases drawn the way the latency benchmark draws them, read back from a real canvas.
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const context = document.querySelector('canvas').getContext('2d', { willReadFrequently: true });
  const images = digits.map((digit) => {
    const drawn = drawDigitOnCanvas(Float32Array.from(digit), canvasBenchmarkOptions(random));
    context.clearRect(0, 0, 280, 280);
    context.putImageData(new ImageData(drawn.data, drawn.width, drawn.height), 0, 0);
    return context.getImageData(0, 0, 280, 280);
  });
  const recognizer = await createRecognizer();
  for (let i = 0; i < 20; i++) await recognizer.predict(images[i % images.length]);
  const predictMs = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await recognizer.predict(images[i % images.length]);
    predictMs.push(performance.now() - started);
  }
  recognizer.dispose();
  const leakedByPredict = tf.memory().numTensors - tensorsAtStart;

  // Training: the compact CNN from scratch, one batch a step, as a retrain trains.
  const model = createDigitModel();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const pixels = Float32Array.from(digits.flat());
  const batchAt = (step) => {
    const start = (step * batch) % (digits.length - batch + 1);
    return tf.tidy(() => [
      tf.tensor4d(pixels.subarray(start * 784, (start + batch) * 784), [batch, 28, 28, 1]),
      tf.oneHot(tf.tensor1d(labels.slice(start, start + batch), 'int32'), 10).toFloat(),
    ]);
  };
  const trainStep = async (step) => {
    const [x, y] = batchAt(step);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  };
  await trainStep(0); // creates the optimizer's slots and compiles kernels or shaders
  const started = performance.now();
  for (let step = 1; step <= steps; step++) await trainStep(step);
  const trainSamplesPerSecond = (steps * batch) / ((performance.now() - started) / 1000);
  model.optimizer.dispose();
  model.dispose();
  return { ...figures, predictMs, trainSamplesPerSecond, leakedByPredict, leakedTensors: tf.memory().numTensors - tensorsAtStart };
}

window.backendsPage = { measure };
`,
};

const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const p95 = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN;
};

async function measureIn(page: Page, url: string, request: PageRequest): Promise<BackendFigures> {
  // A fresh page for each backend: no tensors or kernels left over from the previous one.
  await page.goto(url);
  await page.waitForFunction(() => window.backendsPage !== undefined);
  return page.evaluate((args) => window.backendsPage.measure(args), request);
}

export async function run(options: BenchOptions): Promise<void> {
  if (!chromiumPath) {
    console.error(`browser-backends ${noChromiumReason}`);
    process.exitCode = 1;
    return;
  }
  const { values } = parseArgs({
    args: options.args,
    options: {
      calls: { type: 'string', default: '200' },
      steps: { type: 'string', default: '20' },
      batch: { type: 'string', default: '32' },
      'gpu-args': { type: 'string' },
    },
  });
  const batch = Number(values.batch);
  const mnist = loadMnist('train', 256);
  const digits = Array.from({ length: mnist.count }, (_, i) => Array.from(mnistDigit(mnist, i)));
  const gpuArgs = values['gpu-args']?.split(/\s+/).filter((arg) => arg !== '');
  const flags = (gpuArgs ?? ['--disable-gpu']).join(' ') || 'no GPU switches';
  const harness = await openBrowserPage({
    files: PAGE,
    aliases: {
      'bench-canvas': fileURLToPath(new URL('../packages/test-utils/src/canvas.ts', import.meta.url)),
      'page-tfjs': fileURLToPath(new URL('../packages/browser-adapter/test/page-tfjs.ts', import.meta.url)),
    },
    ...(gpuArgs ? { gpuArgs } : {}),
  });
  const browserVersion = harness.page.context().browser()?.version() ?? 'unknown';
  const machine = `headless Chromium ${browserVersion} (${flags}), ${cpus().length} cores (${cpus()[0]?.model.trim()})`;
  const figures: Figure[] = [];
  try {
    for (const backend of BACKENDS) {
      const measured = await measureIn(harness.page, harness.url, {
        backend,
        wasmPaths: harness.wasmPaths,
        digits,
        labels: Array.from(mnist.labels),
        calls: Number(values.calls),
        steps: Number(values.steps),
        batch,
      });
      const context = `${machine}; WebGL renderer: ${measured.renderer}; WebGPU adapter: ${measured.gpuAdapter ? 'yes' : 'no'}`;
      if (measured.unavailable !== undefined || !measured.predictMs) {
        figures.push({
          bench: 'browser-backends',
          metric: `${backend}: unavailable`,
          value: Number.NaN,
          unit: '',
          detail: `${measured.unavailable}; ${context}`,
        });
        continue;
      }
      figures.push(
        {
          bench: 'browser-backends',
          metric: `${backend}: predict median`,
          value: median(measured.predictMs),
          unit: 'ms',
          detail: `${measured.predictMs.length} warm calls on a 280x280 canvas; ${context}`,
        },
        {
          bench: 'browser-backends',
          metric: `${backend}: predict p95`,
          value: p95(measured.predictMs),
          unit: 'ms',
          // Reported, not hidden: a recogniser that leaves tensors behind on a backend is a bug there.
          detail: `${measured.predictMs.length} warm calls; tensors left after dispose(): ${measured.leakedByPredict}`,
        },
        {
          bench: 'browser-backends',
          metric: `${backend}: training`,
          value: measured.trainSamplesPerSecond ?? Number.NaN,
          unit: 'samples/s',
          detail: `compact CNN, Adam, batches of ${batch}, ${values.steps} steps after a warm-up step; tensors left: ${(measured.leakedTensors ?? 0) - (measured.leakedByPredict ?? 0)}`,
        },
      );
    }
    if (harness.errors.length > 0) throw new AggregateError(harness.errors, 'the page had uncaught errors');
  } finally {
    await harness.close();
  }
  printFigures(figures, options.json);
}
