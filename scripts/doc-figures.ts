/**
 * `npm run docs:figures`: rewrites every marked figure (see `figures.ts`) and the benchmark
 * tables in the Markdown pages from `bench/results/`. `npm run docs:figures -- --check` changes
 * nothing and fails when a page differs from the results or names a metric they do not hold;
 * `npm test` runs the same check (`scripts/doc-figures.test.ts`).
 *
 * Regenerating after a benchmark: `npm run bench -- <name> --json > bench/results/<name>.jsonl`,
 * then `npm run docs:figures`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { renderBenchTable, replaceBenchTable, TABLE_PAGES } from './bench-table.js';
import { markdownPages, type Problem, ROOT, readMachine, readResults, rewriteFigures } from './figures.js';

export interface PageReport {
  page: string;
  /** The page as the results would have it. */
  expected: string;
  actual: string;
  problems: Problem[];
}

/** Every page as it is and as the results would write it. */
export function checkPages(): PageReport[] {
  const results = readResults();
  const machine = readMachine();
  return markdownPages().map((page) => {
    const actual = readFileSync(new URL(page, ROOT), 'utf8');
    const { text, problems } = rewriteFigures(actual, results);
    let expected = text;
    const table = TABLE_PAGES[page];
    if (table) {
      const replaced = replaceBenchTable(text, renderBenchTable(results, machine, table));
      if (replaced === undefined)
        problems.push({ line: 0, message: 'needs the bench:start and bench:end markers' });
      else expected = replaced;
    }
    return { page, expected, actual, problems };
  });
}

function main(): void {
  const check = process.argv.includes('--check');
  let failed = false;
  for (const { page, expected, actual, problems } of checkPages()) {
    for (const { line, message } of problems) console.error(`${page}:${line}: ${message}`);
    failed ||= problems.length > 0;
    if (expected === actual) continue;
    if (check) {
      console.error(`${page}: figures differ from bench/results (run npm run docs:figures)`);
      failed = true;
    } else {
      writeFileSync(new URL(page, ROOT), expected);
      console.log(`${page}: figures rewritten`);
    }
  }
  if (failed) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
