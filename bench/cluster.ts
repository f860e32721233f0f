/**
 * `npm run bench -- cluster [--json]`
 *
 * Two instances of examples/node-server, each its own process, on one PostgreSQL database
 * (Debian's, over the Unix socket, started if need be as the tests do; a fresh schema per run):
 * - how long after instance A acknowledges a correction instance B answers the corrected
 *   drawing with the new label (B is polled every 10 ms; 10 drawings of the MNIST test set);
 * - a retrain asked of both at once: how many runs train (target 1) and whether both then serve
 *   the same version;
 * - SIGKILL of A in the middle of 200 concurrent corrections posted to it, while B answers
 *   predictions throughout: acknowledged corrections missing afterwards (target 0), and B's
 *   failed predictions;
 * - adds/s through `createPostgresCorrectionStore` from one process, 64 adds in flight.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { newKey } from '../examples/node-server/src/auth/api-keys.js';
import { openCluster } from '../examples/node-server/src/cluster.js';
import { startServerProcess } from '../examples/node-server/test/server-process.js';
import { createPostgresCorrectionStore } from '../packages/postgres-adapter/src/index.js';
import {
  drawDigitOnCanvas,
  dropSchema,
  freshSchema,
  loadMnist,
  mnistDigit,
  sampleCorrection,
  testDatabase,
} from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, percentile, printFigures } from './report.js';

const test = loadMnist('test', 300);

const encoded = new Map<number, string>();

/** Test digit `index` as a PNG data URL, encoded once. */
function pngDataUrl(index: number): string {
  const known = encoded.get(index);
  if (known !== undefined) return known;
  const canvas = drawDigitOnCanvas(mnistDigit(test, index));
  const png = new PNG({ width: canvas.width, height: canvas.height });
  png.data = Buffer.from(canvas.data.buffer, canvas.data.byteOffset, canvas.data.byteLength);
  const url = `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
  encoded.set(index, url);
  return url;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(options: BenchOptions): Promise<void> {
  const database = await testDatabase();
  if (database.skipReason) throw new Error(`cluster benchmark needs PostgreSQL: ${database.skipReason}`);
  // Every drawing encoded before any connection opens: encoding blocks this process's event loop,
  // and a client whose loop stalls past the servers' keep-alive timeout can send on a pooled
  // connection the server has just closed.
  for (let i = 0; i < 300; i++) pngDataUrl(i);
  const databaseUrl = database.connectionString ?? '';
  const schema = freshSchema('bench');
  const figures: Figure[] = [];
  const children: ChildProcess[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'crazy-digits-cluster-'));
  try {
    const cluster = await openCluster(databaseUrl, schema);
    const { key, record } = newKey('ops', 'admin');
    await cluster.keys.add(record);
    await cluster.close();
    const env = {
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      ANONYMOUS_PREDICT: '0',
      PREDICTS_PER_MINUTE: '1000000',
      CORRECTIONS_PER_MINUTE: '1000000',
      REQUESTS_PER_MINUTE: '1000000',
      MAX_QUEUED_DECODES: '1024',
    };
    const start = async (name: string) => {
      const started = await startServerProcess(join(dir, name), env);
      children.push(started.child);
      return started;
    };
    const [a, b] = await Promise.all([start('a'), start('b')]);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const call = async (url: string, method: 'GET' | 'POST', body?: unknown) => {
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const predict = async (url: string, index: number) =>
      (await call(`${url}/api/predict?scope=global`, 'POST', { image: pngDataUrl(index) })).body as {
        digit: number;
        modelVersion: string;
      };

    // 1. A correction through A, seen by B.
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = (await predict(b.url, i)).digit;
      const label = (before + 3) % 10;
      const answer = await call(`${a.url}/api/corrections?scope=global`, 'POST', {
        image: pngDataUrl(i),
        label,
      });
      if (answer.status !== 201) throw new Error(`correction refused: ${JSON.stringify(answer.body)}`);
      const acknowledged = performance.now();
      for (;;) {
        if ((await predict(b.url, i)).digit === label) break;
        if (performance.now() - acknowledged > 10_000) throw new Error('B never saw the correction');
        await sleep(10);
      }
      delays.push(performance.now() - acknowledged);
    }
    delays.sort((x, y) => x - y);
    const detail =
      '2 server processes, one PostgreSQL 15 over a Unix socket, 10 MNIST test drawings, B polled every 10 ms';
    figures.push(
      {
        bench: 'cluster',
        metric: 'correction on A seen by B: median',
        value: percentile(delays, 0.5),
        unit: 'ms',
        detail,
      },
      {
        bench: 'cluster',
        metric: 'correction on A seen by B: max',
        value: delays.at(-1) ?? Number.NaN,
        unit: 'ms',
        detail,
      },
    );

    // 2. A retrain asked of both.
    const [jobA, jobB] = await Promise.all(
      [a.url, b.url].map(async (url) => ({
        url,
        id: String((await call(`${url}/api/retrain?scope=global`, 'POST')).body.jobId),
      })),
    );
    const jobs = [];
    for (const job of [jobA, jobB]) {
      for (;;) {
        const state = (await call(`${job?.url}/api/retrain/${job?.id}?scope=global`, 'GET')).body;
        if (state.state === 'succeeded' || state.state === 'failed') {
          jobs.push(state);
          break;
        }
        await sleep(200);
      }
    }
    const runs = jobs.filter((job) => job.state === 'succeeded' && !job.coveredElsewhere).length;
    let same = 0;
    for (let tries = 0; tries < 100 && !same; tries++) {
      const [va, vb] = await Promise.all([predict(a.url, 20), predict(b.url, 20)]);
      if (va.modelVersion === vb.modelVersion && va.modelVersion === jobs[0]?.version) same = 1;
      else await sleep(50);
    }
    figures.push(
      {
        bench: 'cluster',
        metric: 'retrain asked of both: runs',
        value: runs,
        unit: 'runs',
        detail: `jobs: ${jobs.map((job) => job.state).join(', ')}`,
      },
      { bench: 'cluster', metric: 'retrain asked of both: same version served', value: same, unit: 'yes=1' },
    );

    // 3. SIGKILL of A during 200 concurrent corrections, B serving predictions meanwhile.
    let predicting = true;
    let served = 0;
    let failedPredictions = 0;
    const failures = new Map<string, number>();
    const failed = (why: string) => {
      failedPredictions++;
      failures.set(why, (failures.get(why) ?? 0) + 1);
    };
    const predictor = (async () => {
      while (predicting) {
        try {
          const response = await call(`${b.url}/api/predict?scope=global`, 'POST', {
            image: pngDataUrl(30 + (served % 50)),
          });
          if (response.status === 200) served++;
          else failed(`${response.status} ${JSON.stringify(response.body.error ?? '')}`);
        } catch (error) {
          // fetch reports a network failure as "fetch failed"; what failed is its cause.
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          failed(
            `${String(error)}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''} after ${served} served`,
          );
        }
      }
    })();
    const acknowledged: string[] = [];
    let refused = 0;
    const posts = Array.from({ length: 200 }, async (_, i) => {
      try {
        const answer = await call(`${a.url}/api/corrections?scope=global`, 'POST', {
          image: pngDataUrl(100 + i),
          label: i % 10,
        });
        if (answer.status === 201) {
          acknowledged.push(String(answer.body.id));
          // Killed as the twentieth acknowledgement arrives: the rest are in flight.
          if (acknowledged.length === 20) a.child.kill('SIGKILL');
        } else refused++;
      } catch {
        refused++;
      }
    });
    await Promise.all(posts);
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
    await sleep(500);
    predicting = false;
    await predictor;
    const stored = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = (
        await call(
          `${b.url}/api/corrections?scope=global&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
          'GET',
        )
      ).body as {
        items: Array<{ id: string }>;
        nextCursor?: string;
      };
      for (const item of page.items) stored.add(item.id);
      cursor = page.nextCursor;
    } while (cursor);
    const lost = acknowledged.filter((id) => !stored.has(id)).length;
    figures.push(
      {
        bench: 'cluster',
        metric: 'SIGKILL during 200 corrections: acknowledged before the kill',
        value: acknowledged.length,
        unit: 'corrections',
        detail: `${refused} cut off by the kill`,
      },
      {
        bench: 'cluster',
        metric: 'SIGKILL during 200 corrections: acknowledged lost',
        value: lost,
        unit: 'corrections',
      },
      {
        bench: 'cluster',
        metric: 'SIGKILL: predictions B served meanwhile',
        value: served,
        unit: 'predictions',
      },
      {
        bench: 'cluster',
        metric: 'SIGKILL: predictions B failed meanwhile',
        value: failedPredictions,
        unit: 'predictions',
        ...(failures.size > 0 ? { detail: [...failures].map(([why, n]) => `${n}x ${why}`).join('; ') } : {}),
      },
    );
    b.child.kill('SIGTERM');

    // 4. Adds/s through the store from one process.
    const store = await createPostgresCorrectionStore({
      connectionString: databaseUrl,
      schema,
      name: 'speed',
    });
    const total = 3000;
    const samples = Array.from({ length: total }, (_, i) => sampleCorrection(i));
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) await store.add(samples[next++] ?? sampleCorrection(0));
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    await store.close();
    figures.push({
      bench: 'cluster',
      metric: 'adds/s through the Postgres store, one process',
      value: total / seconds,
      unit: 'adds/s',
      detail: `${total} corrections, 64 in flight, committed (group commit) before acknowledged`,
    });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    await dropSchema(databaseUrl, schema).catch(() => {});
  }
  printFigures(figures, options.json);
}
