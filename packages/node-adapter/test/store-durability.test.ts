import { describe, expect, it } from 'vitest';
import { addFromTwoProcesses, killAppends, killModelSaves } from './fixtures/durability/harness.js';

// The children are bundled once and start in well under 100 ms; kills still run in several lanes
// at once, each on its own directory, so that waiting for one child overlaps with another's work.
describe('file stores under SIGKILL', () => {
  it('loses no acknowledged correction and returns nothing damaged over 100 kills', {
    timeout: 120_000,
  }, async () => {
    const report = await killAppends({ kills: 100, lanes: 4 });
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(100);
    expect(report.acknowledged).toBeGreaterThan(100);
    expect(report.lost).toBe(0);
    expect(report.corrupt).toBe(0);
  });

  it('loads the previous or the new model version, byte for byte, over 50 kills mid-save', {
    timeout: 120_000,
  }, async () => {
    const report = await killModelSaves({ kills: 50, lanes: 3 });
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(50);
    expect(report.lost).toBe(0);
    expect(report.corrupt).toBe(0);
  });

  it('counts exactly the acknowledged adds of two processes writing at once', {
    timeout: 60_000,
  }, async () => {
    const report = await addFromTwoProcesses(300);
    expect(report.problems).toEqual([]);
    expect(report.acknowledged).toBe(600);
    expect(report.count).toBe(600);
  });
});
