/**
 * Durability of the node-adapter's file stores: writers SIGKILLed at random moments (corrections
 * appended four at a time, model versions saved in a loop), then the store opened and checked;
 * and the latency of `add()`, which resolves only after `fdatasync`, alone and in groups.
 *
 * `npm run bench -- durability [--kills 1000] [--model-kills 100] [--json]`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileCorrectionStore } from '../packages/node-adapter/src/stores/file-correction-store.js';
import { killAppends, killModelSaves } from '../packages/node-adapter/test/fixtures/durability/harness.js';
import { sampleCorrection } from '../packages/test-utils/src/index.js';
import type { BenchOptions } from './registry.js';
import { type Figure, printFigures } from './report.js';

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Milliseconds per `add()` awaited one at a time, and adds/s with `parallel` adds in flight. */
async function measureAdds(maxBatch: number, sequential: number, parallel: number) {
  const dir = await mkdtemp(join(tmpdir(), 'crazy-digits-bench-adds-'));
  try {
    const store = await createFileCorrectionStore({ dir, maxBatch });
    const images = Array.from({ length: 64 }, (_, i) => sampleCorrection(i));
    const latencies: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const start = performance.now();
      await store.add(images[i % images.length] ?? sampleCorrection(i));
      latencies.push(performance.now() - start);
    }
    const start = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, (_, i) => store.add(images[i % images.length] ?? sampleCorrection(i))),
    );
    const addsPerSecond = parallel / ((performance.now() - start) / 1000);
    await store.close();
    return { median: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), addsPerSecond };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run({ json, args }: BenchOptions): Promise<void> {
  const kills = option(args, '--kills', 1000);
  const modelKills = option(args, '--model-kills', 100);
  const started = performance.now();
  const progress = (what: string, total: number) => {
    let printed = 0;
    return (report: { kills: number }) => {
      if (json || report.kills < printed + 100) return;
      printed = report.kills - (report.kills % 100);
      console.error(`${what}: ${printed}/${total} kills`);
    };
  };
  const appends = await killAppends({ kills, lanes: 4, onKill: progress('appends', kills) });
  const saves = await killModelSaves({
    kills: modelKills,
    lanes: 3,
    onKill: progress('model saves', modelKills),
  });
  const killSeconds = (performance.now() - started) / 1000;
  const grouped = await measureAdds(256, 500, 1000);
  const single = await measureAdds(1, 0, 1000);
  const figures: Figure[] = [
    { bench: 'durability', metric: 'appends.kills', value: appends.kills, unit: 'kills' },
    { bench: 'durability', metric: 'appends.acknowledged', value: appends.acknowledged, unit: 'adds' },
    { bench: 'durability', metric: 'appends.lost', value: appends.lost, unit: 'adds', detail: 'must be 0' },
    {
      bench: 'durability',
      metric: 'appends.corrupt',
      value: appends.corrupt,
      unit: 'checks',
      detail: 'stores that failed to open or returned wrong content; must be 0',
    },
    { bench: 'durability', metric: 'saves.kills', value: saves.kills, unit: 'kills' },
    { bench: 'durability', metric: 'saves.acknowledged', value: saves.acknowledged, unit: 'saves' },
    {
      bench: 'durability',
      metric: 'saves.lost',
      value: saves.lost,
      unit: 'loads',
      detail: 'current neither the last acknowledged nor the interrupted version; must be 0',
    },
    {
      bench: 'durability',
      metric: 'saves.corrupt',
      value: saves.corrupt,
      unit: 'checks',
      detail: 'must be 0',
    },
    { bench: 'durability', metric: 'kills.seconds', value: killSeconds, unit: 's' },
    {
      bench: 'durability',
      metric: 'add.median',
      value: grouped.median,
      unit: 'ms',
      detail: 'one add at a time, fdatasync each',
    },
    { bench: 'durability', metric: 'add.p95', value: grouped.p95, unit: 'ms' },
    {
      bench: 'durability',
      metric: 'add.parallel.grouped',
      value: grouped.addsPerSecond,
      unit: 'adds/s',
      detail: '1000 adds in flight, one fdatasync per group',
    },
    {
      bench: 'durability',
      metric: 'add.parallel.oneSyncEach',
      value: single.addsPerSecond,
      unit: 'adds/s',
      detail: 'the same, one fdatasync per add',
    },
    {
      bench: 'durability',
      metric: 'add.groupCommitSpeedup',
      value: grouped.addsPerSecond / single.addsPerSecond,
      unit: 'x',
    },
  ];
  printFigures(figures, json);
  for (const problem of [...appends.problems, ...saves.problems].slice(0, 20)) console.error(problem);
  if (appends.lost + appends.corrupt + saves.lost + saves.corrupt > 0) process.exitCode = 1;
}
