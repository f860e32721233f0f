import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory, writeMnistPngs } from './helpers.js';

/** A ceiling for slow machines, not a measurement: the runs train on 256 digits for one epoch. */
const SLOW = 60_000;
const TINY = ['--epochs', '1', '--limit', '256', '--batch', '32'];

let work: { dir: string; remove(): Promise<void> };
const cli = (...argv: string[]) => runCli(argv, { cwd: work.dir });

beforeAll(async () => {
  work = await temporaryDirectory();
});
afterAll(() => work.remove());

describe('train', () => {
  it(
    'trains on MNIST, saves a new current version, and predict uses it',
    async () => {
      const [digit] = await writeMnistPngs(work.dir, [0]);
      if (!digit) throw new Error('no digit written');
      const trained = await cli('train', ...TINY, '--workers', '1', '--json', '--data', 'data');
      expect(trained.stderr).toContain('training on 256 MNIST digits, 1 epoch');
      expect(trained.code).toBe(0);
      const saved = JSON.parse(trained.stdout) as { version: string; metrics: { mnistAccuracy: number } };
      expect(saved.metrics.mnistAccuracy).toBeGreaterThanOrEqual(0);
      expect(saved.metrics.mnistAccuracy).toBeLessThanOrEqual(1);

      const second = await cli('train', ...TINY, '--workers', '0', '--data', 'data');
      expect(second.code).toBe(0);
      const secondVersion = second.stdout.trim();

      const stats = JSON.parse((await cli('stats', '--json', '--data', 'data')).stdout);
      expect(stats.currentModel).toBe(secondVersion);
      expect(stats.versions.map((v: { version: string }) => v.version)).toEqual([
        saved.version,
        secondVersion,
      ]);
      expect(stats.versions[0].note).toBe('trained on 256 MNIST digits, 1 epoch');

      const predicted = await cli('predict', '--json', digit.file, '--data', 'data');
      expect(predicted.code).toBe(0);
      expect(JSON.parse(predicted.stdout).model).toBe(secondVersion);
    },
    SLOW,
  );

  it(
    'stops cleanly when interrupted: exit code 130 and nothing saved',
    async () => {
      const controller = new AbortController();
      // Non-interactive progress prints its first line after the first step: interrupt there.
      const run = await runCli(['train', ...TINY, '--workers', '1', '--data', 'interrupted'], {
        cwd: work.dir,
        signal: controller.signal,
        onStderr: (text) => {
          if (text.includes(' step ')) controller.abort();
        },
      });
      expect(run.code).toBe(130);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('training interrupted; nothing was saved');
      const stats = JSON.parse((await cli('stats', '--json', '--data', 'interrupted')).stdout);
      expect(stats.versions).toEqual([]);
    },
    SLOW,
  );
});
