import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';

/** Where JSON benchmark results and the machine they ran on are kept for `npm run docs:figures`. */
export const RESULTS_DIR = new URL('./results/', import.meta.url);

/** The machine a benchmark ran on, as the README table states it. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

export async function recordMachine(): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(new URL('machine.json', RESULTS_DIR), `${JSON.stringify(describeMachine(), null, 2)}\n`);
}
