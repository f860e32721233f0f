/**
 * `npm run bench -- <name> [--json]` runs one benchmark; with no name it lists them.
 *
 * Each benchmark is a module in `bench/` exporting `run(options)`; it prints a human table, or
 * with `--json` one JSON object per figure: `{ "bench", "metric", "value", "unit", ... }`.
 */
import { benchmarks } from './registry.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((arg) => !arg.startsWith('--'));

if (names.length === 0) {
  const listed = Object.entries(benchmarks);
  console.log(listed.length === 0 ? 'No benchmarks are registered yet.' : 'Benchmarks:');
  for (const [name, entry] of listed) console.log(`  ${name.padEnd(16)} ${entry.description}`);
  process.exit(0);
}

for (const name of names) {
  const entry = benchmarks[name];
  if (!entry) {
    console.error(`Unknown benchmark "${name}". Known: ${Object.keys(benchmarks).join(', ') || 'none'}.`);
    process.exit(2);
  }
  const module = await entry.load();
  await module.run({ json, args });
}
