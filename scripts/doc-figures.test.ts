import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPages } from './doc-figures.js';
import { formatFigure, markdownPages, ROOT, rewriteFigures, unmarkedFigures } from './figures.js';

const results = new Map([
  [
    'numbers | separate digits: whole numbers read exactly',
    {
      bench: 'numbers',
      metric: 'separate digits: whole numbers read exactly',
      value: 94.333,
      unit: '%',
    },
  ],
  [
    'latency | open: first prediction',
    { bench: 'latency', metric: 'open: first prediction', value: 11431.4, unit: 'ms' },
  ],
]);

describe('marked figures', () => {
  it('writes the figure the results hold, in the format the marker asks for', () => {
    const page =
      'reads <!-- fig: numbers | separate digits: whole numbers read exactly | dp=1 -->97.0%<!-- /fig --> of them';
    const { text, problems } = rewriteFigures(page, results);
    expect(problems).toEqual([]);
    expect(text).toBe(
      'reads <!-- fig: numbers | separate digits: whole numbers read exactly | dp=1 -->94.3%<!-- /fig --> of them',
    );
  });

  it('reports a metric the results do not hold, and a malformed marker', () => {
    const { problems } = rewriteFigures(
      '<!-- fig: numbers | no such metric -->1%<!-- /fig -->\n<!-- fig: numbers -->',
      results,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'no result for "numbers | no such metric"',
      '1 malformed fig marker(s)',
    ]);
  });

  it('formats by unit, with decimals, seconds and magnitudes on request', () => {
    expect(formatFigure({ value: 99.0798, unit: '%' })).toBe('99.08%');
    expect(formatFigure({ value: 1.42115, unit: 'ms' })).toBe('1.42 ms');
    expect(formatFigure({ value: 513.9, unit: 'req/s' })).toBe('514 req/s');
    expect(formatFigure({ value: -0.1875, unit: 'points' }, { abs: true, dp: 1 })).toBe('0.2 points');
    expect(formatFigure({ value: 11431.4, unit: 'ms' }, { inSeconds: true })).toBe('11.4 s');
    expect(formatFigure({ value: 3, unit: 'runs' }, { unit: '' })).toBe('3');
  });

  it('flags measured-looking figures outside markers and code, but not targets or allowed constants', () => {
    const page = [
      'reads 94.3% of numbers in 12 ms, target ≥ 97%, quiet time 150 ms',
      '`took 4 s` <!-- fig: a | b -->1 ms<!-- /fig -->',
      '```\n2.5 ms\n```',
    ].join('\n');
    expect(unmarkedFigures(page, ['150 ms']).map((p) => p.message)).toEqual([
      'unmarked figure "94.3%"',
      'unmarked figure "12 ms"',
    ]);
  });
});

describe('the docs', () => {
  it.each(checkPages())(
    '$page quotes every marked figure as bench/results has it',
    ({ expected, actual, problems }) => {
      expect(problems).toEqual([]);
      // On failure: `npm run docs:figures` rewrites the page from the results.
      expect(actual).toBe(expected);
    },
  );

  /** Pages whose measured figures all come from the results; the constants each may state. */
  const CHECKED: Record<string, string[]> = {
    'README.md': [],
    'packages/core/README.md': [],
    'packages/node-adapter/README.md': [],
    'packages/browser-adapter/README.md': ['10 s', '1 kB'], // blockedTimeoutMs default; idb's size
    'packages/postgres-adapter/README.md': ['100 ms', '2 s'], // the change feed's reconnect delays
    'packages/react/README.md': [],
    'docs/getting-started-browser.md': [],
    'docs/getting-started-node.md': ['10 MiB'], // decodeImage's maxBytes default
    'docs/backends-and-performance.md': ['0.05 points', '700,000 bytes'], // bundle-model's tolerance; the first-load limit
    'docs/browser-adapter.md': ['700,000 bytes', '50 ms'], // the first-load limit; the long-task line
    'docs/learning-from-corrections.md': ['2 s', '1 ms', '0.5 points', '2 points', '80%', '30%', '1%'], // debounceMs default; setTimeout's floor; the gate's limits; the label-flip share; the own-digit rule's floor
    'docs/node-adapter.md': ['1 MiB', '10 MiB', '150 ms'], // compactionMinBytes, maxBytes defaults; the durability test's kill window
    'docs/numbers.md': ['10%', '60%'], // the overlap cost's free share; drawPenNumber's gaps
    'docs/preprocessing.md': ['50%', '10%', '0.02%', '2%', '10x'], // preprocess's thresholds; a scale factor
    'docs/security-and-reliability.md': [
      '0.5 points',
      '2 points',
      '80%',
      '30%',
      '10 MiB',
      '1 MiB',
      '30 s',
      '10 s',
      '5 s',
      '150 ms',
      '2 MiB',
    ], // the gate, the label-flip share, input and server limits, test parameters
    'docs/shipped-model.md': [],
    'docs/storage-adapters.md': ['1 MiB'], // compactionMinBytes default
    'examples/cli/README.md': [],
    'examples/node-server/README.md': ['1 MiB', '4 MiB', '10 s'], // BODY_LIMIT; RGBA of a 1024 px side; the bench's phase
    'examples/vite-quickstart/README.md': [],
    'examples/web-demo/README.md': ['150 ms'], // the demo's quiet time after a stroke
  };
  it.each(Object.entries(CHECKED))('%s writes no measured figure outside a marker', (page, allowed) => {
    expect(markdownPages()).toContain(page);
    expect(unmarkedFigures(readFileSync(new URL(page, ROOT), 'utf8'), allowed)).toEqual([]);
  });
});
