/**
 * `npm run bench -- server [--json] [--connections 8] [--duration 10]`
 *
 * The node-server example under load: it is started as its own process (as `npm start` runs it)
 * and autocannon posts 280x280 PNG canvases of MNIST test digits to `POST /api/predict` from this
 * process. Reports predictions/s and p50/p99 latency on an idle server, then the same while
 * retrains run back to back in the server's worker thread. Authentication is on: anonymous
 * predictions are off, every request carries an API key (a user's for predictions, an admin's for
 * the global corrections and retrains), and the rate limits are raised past what the load sends.
 *
 * Load is closed-loop: each connection sends its next request as soon as the last is answered, so
 * the latencies are those at the throughput reported. autocannon's fixed-rate mode
 * (`overallRate`) is not used: it sends each connection's quota for the second back to back at
 * the start of the second, so its latencies measure draining a burst, not a steady load.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { addKey } from '../examples/node-server/src/auth/api-keys.js';
import { startServerProcess } from '../examples/node-server/test/server-process.js';
import { seededRandom } from '../packages/core/src/training/random.js';
import {
  canvasBenchmarkOptions,
  drawDigitOnCanvas,
  loadMnist,
  mnistDigit,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  non2xx: number;
  errors: number;
  duration: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests: { method: 'POST'; path: string; headers: Record<string, string>; body: string }[];
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
// autocannon ships no types: the slice of its API used here is declared above.
const autocannon: Autocannon = require('autocannon');

/** The test digits as canvases a browser would send: PNG data URLs. */
function canvasBodies(count: number): { body: string; label: number }[] {
  const test = loadMnist('test', count);
  const random = seededRandom(11);
  return Array.from({ length: count }, (_, i) => {
    const canvas = drawDigitOnCanvas(mnistDigit(test, i), canvasBenchmarkOptions(random));
    const png = new PNG({ width: canvas.width, height: canvas.height });
    png.data = Buffer.from(canvas.data.buffer, canvas.data.byteOffset, canvas.data.byteLength);
    const image = `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
    return { body: JSON.stringify({ image }), label: test.labels[i] ?? 0 };
  });
}

async function api(
  url: string,
  method: 'GET' | 'POST',
  key: string,
  body?: string,
): Promise<Record<string, unknown>> {
  const authorization = `Bearer ${key}`;
  const response = await fetch(url, {
    method,
    headers: method === 'GET' ? { authorization } : { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  const data: Record<string, unknown> = await response.json();
  return data;
}

/**
 * CPU seconds the process has used (user + system, every thread), from `/proc` on Linux;
 * `undefined` elsewhere. Divided by requests served, it is the cost of a request whatever else
 * shares the machine.
 */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Submits global retrains one after another until `stop()`; counts those that finished. */
function retrainContinuously(url: string, adminKey: string) {
  let running = true;
  let finished = 0;
  let firstRunning: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    firstRunning = resolve;
  });
  const loop = (async () => {
    while (running) {
      const { jobId } = await api(`${url}/api/retrain?scope=global`, 'POST', adminKey, '{}');
      for (;;) {
        const job = await api(`${url}/api/retrain/${String(jobId)}?scope=global`, 'GET', adminKey);
        if (job.state === 'running') firstRunning();
        if (job.state === 'succeeded' || job.state === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      finished++;
    }
  })();
  return {
    started,
    async stop() {
      running = false;
      await loop;
      return finished;
    },
  };
}

export async function run(options: BenchOptions): Promise<void> {
  const { values } = parseArgs({
    args: options.args,
    options: {
      connections: { type: 'string', default: '8' },
      duration: { type: 'string', default: '10' },
    },
  });
  const connections = Number(values.connections);
  const duration = Number(values.duration);
  const canvases = canvasBodies(100);
  const dataDir = await mkdtemp(join(tmpdir(), 'crazy-digits-bench-server-'));
  const userKey = (await addKey(dataDir, 'bench', 'user')).key;
  const adminKey = (await addKey(dataDir, 'bench-admin', 'admin')).key;
  // A user's key asking for the global model, which holds the corrections posted below.
  const requests = canvases.map(({ body }) => ({
    method: 'POST' as const,
    path: '/api/predict?scope=global',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
    body,
  }));
  const { child, url } = await startServerProcess(dataDir, {
    ANONYMOUS_PREDICT: '0',
    PREDICTS_PER_MINUTE: '1000000',
    CORRECTIONS_PER_MINUTE: '1000000',
    RETRAINS_PER_MINUTE: '1000000',
    REQUESTS_PER_MINUTE: '1000000',
  });
  const figures: Figure[] = [];
  try {
    // Corrections for the retrains to learn: the first 40 canvases with their true labels.
    for (const { body, label } of canvases.slice(0, 40)) {
      await api(
        `${url}/api/corrections?scope=global`,
        'POST',
        adminKey,
        JSON.stringify({ ...JSON.parse(body), label }),
      );
    }
    await autocannon({ url, connections, duration: 3, requests }); // warm-up
    const measure = async () => {
      const cpuBefore = await cpuSeconds(child.pid);
      const result = await autocannon({ url, connections, duration, requests });
      const cpuAfter = await cpuSeconds(child.pid);
      const served = result.requests.average * result.duration;
      const cpuPerRequest =
        cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : ((cpuAfter - cpuBefore) * 1000) / served;
      return { result, cpuPerRequest };
    };
    const report = (
      phase: string,
      { result, cpuPerRequest }: Awaited<ReturnType<typeof measure>>,
      detail: string,
    ) => {
      const failed = result.non2xx + result.errors;
      if (cpuPerRequest !== undefined) {
        figures.push({
          bench: 'server',
          metric: `${phase}: server CPU per prediction`,
          value: cpuPerRequest,
          unit: 'ms',
          detail: 'all threads of the server process, from /proc',
        });
      }
      figures.push(
        {
          bench: 'server',
          metric: `${phase}: predictions/s`,
          value: result.requests.average,
          unit: 'req/s',
          detail,
        },
        { bench: 'server', metric: `${phase}: latency p50`, value: result.latency.p50, unit: 'ms' },
        { bench: 'server', metric: `${phase}: latency p99`, value: result.latency.p99, unit: 'ms' },
        { bench: 'server', metric: `${phase}: failed requests`, value: failed, unit: 'requests' },
      );
    };
    const shape = `${connections} connections, ${duration} s, 280x280 PNG data URLs, API key on every request, server in its own process`;
    report('idle', await measure(), shape);

    const retrains = retrainContinuously(url, adminKey);
    await retrains.started;
    const busy = await measure();
    const jobs = await retrains.stop();
    report('during retrain', busy, `${shape}; retrains back to back in the worker thread (${jobs} finished)`);
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  printFigures(figures, options.json);
}
