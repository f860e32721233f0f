/**
 * `npm run bench -- <name> [--json] [benchmark options]` runs one benchmark; with no name it
 * lists them.
 *
 * Each benchmark is a module in `bench/` exporting `run(options)`; it prints a human table, or
 * with `--json` one JSON object per figure: `{ "bench", "metric", "value", "unit", ... }`.
 */
import { recordMachine } from './machine.js';
import { benchmarks } from './registry.js';

const [name, ...rest] = process.argv.slice(2);

if (name === undefined || name.startsWith('--')) {
  console.log('Usage: npm run bench -- <name> [--json] [options]\n\nBenchmarks:');
  for (const [known, entry] of Object.entries(benchmarks))
    console.log(`  ${known.padEnd(16)} ${entry.description}`);
  process.exit(0);
}

const entry = benchmarks[name];
if (!entry) {
  console.error(`Unknown benchmark "${name}". Known: ${Object.keys(benchmarks).join(', ') || 'none'}.`);
  process.exit(2);
}
const json = rest.includes('--json');
const module = await entry.load();
await module.run({ json, args: rest.filter((arg) => arg !== '--json') });
// JSON runs feed `npm run docs:figures`, which states the machine the figures came from.
if (json) await recordMachine();
