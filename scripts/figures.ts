/**
 * The figures the docs quote, read from the benchmarks' results: every figure in a Markdown page
 * is written between markers naming the benchmark and metric it comes from,
 *
 *   <!-- fig: numbers | separate digits: whole numbers read exactly | dp=1 -->94.3%<!-- /fig -->
 *
 * and `npm run docs:figures` rewrites the text between them from `bench/results/<bench>.jsonl`
 * (the latest line per benchmark and metric). Options after the second `|`, separated by spaces:
 * `dp=N` (decimals), `sig=N` (significant digits), `unit=…` (the unit as printed, `unit=` for
 * none), `in=s` (milliseconds shown as seconds), `abs` (the magnitude, for "fell by 0.19 points").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Machine } from '../bench/machine.js';
import type { Figure } from '../bench/report.js';

export const ROOT = new URL('../', import.meta.url);
export const RESULTS = new URL('bench/results/', ROOT);

/** The latest figure for every benchmark and metric, keyed by {@link figureKey}. */
export type Results = Map<string, Figure>;

export function figureKey(bench: string, metric: string): string {
  return `${bench} | ${metric}`;
}

/** Reads every `*.jsonl` file of `dir`; a later line for the same bench and metric wins. */
export function readResults(dir: URL = RESULTS): Results {
  const results: Results = new Map();
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(new URL(name, dir), 'utf8').split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      const figure = JSON.parse(line) as Figure;
      results.set(figureKey(figure.bench, figure.metric), figure);
    }
  }
  return results;
}

export function readMachine(dir: URL = RESULTS): Machine | undefined {
  const file = new URL('machine.json', dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Machine) : undefined;
}

/** How a marker asks for its figure to be written. */
export interface FigureFormat {
  dp?: number;
  sig?: number;
  unit?: string;
  inSeconds?: boolean;
  abs?: boolean;
}

/** Parses a marker's options (`dp=1 unit=ms abs`); throws on one it does not know. */
export function parseFormat(options: string): FigureFormat {
  const format: FigureFormat = {};
  for (const option of options.split(/\s+/).filter(Boolean)) {
    const [name, value = ''] = option.split('=', 2) as [string, string?];
    if (name === 'dp' || name === 'sig') {
      const digits = Number(value);
      if (!Number.isInteger(digits) || digits < 0 || digits > 6) throw new Error(`bad option ${option}`);
      format[name] = digits;
    } else if (name === 'unit' && option.includes('=')) format.unit = value;
    else if (name === 'in' && value === 's') format.inSeconds = true;
    else if (option === 'abs') format.abs = true;
    else throw new Error(`unknown option ${option}`);
  }
  return format;
}

/** Units printed against the number (`99.08%`); the others after a space (`1.42 ms`). */
const ATTACHED_UNITS = new Set(['%', '‰', 'x']);

/**
 * Writes a figure as the docs show it: percentages and points with two decimals, other values to
 * three significant digits, unless the format says otherwise.
 */
export function formatFigure(figure: Pick<Figure, 'value' | 'unit'>, format: FigureFormat = {}): string {
  let value = format.abs ? Math.abs(figure.value) : figure.value;
  let unit = figure.unit;
  if (format.inSeconds) {
    if (unit !== 'ms') throw new Error(`in=s needs a figure in ms, not ${unit}`);
    value /= 1000;
    unit = 's';
  }
  unit = format.unit ?? unit;
  const twoDecimals = ['%', '‰', 'points'].includes(figure.unit) && format.sig === undefined;
  const text =
    format.dp !== undefined
      ? value.toFixed(format.dp)
      : twoDecimals
        ? value.toFixed(2)
        : String(Number(value.toPrecision(format.sig ?? 3)));
  if (unit === '') return text;
  return ATTACHED_UNITS.has(unit) ? `${text}${unit}` : `${text} ${unit}`;
}

/** A marked figure: `<!-- fig: bench | metric | options -->text<!-- /fig -->`. */
export const MARKER = /<!-- fig: ([^|]+?) \| (.+?)(?: \| ([^|]*?))? -->(.*?)<!-- \/fig -->/g;

export interface Problem {
  line: number;
  message: string;
}

/**
 * Returns `text` with every marked figure written from `results`, and what could not be
 * written: a metric the results do not hold, an option not understood.
 */
export function rewriteFigures(text: string, results: Results): { text: string; problems: Problem[] } {
  const problems: Problem[] = [];
  const rewritten = text.replace(
    MARKER,
    (whole, bench: string, metric: string, options: string | undefined, shown: string, offset: number) => {
      const line = text.slice(0, offset).split('\n').length;
      const figure = results.get(figureKey(bench, metric));
      if (!figure) {
        problems.push({ line, message: `no result for "${figureKey(bench, metric)}"` });
        return whole;
      }
      try {
        const written = formatFigure(figure, parseFormat(options ?? ''));
        const opening = whole.slice(0, whole.length - shown.length - '<!-- /fig -->'.length);
        return `${opening}${written}<!-- /fig -->`;
      } catch (error) {
        problems.push({ line, message: `${figureKey(bench, metric)}: ${(error as Error).message}` });
        return whole;
      }
    },
  );
  // A marker that opens but does not match the syntax would otherwise go unnoticed.
  const opened = text.match(/<!-- fig:/g)?.length ?? 0;
  const matched = text.match(MARKER)?.length ?? 0;
  if (opened !== matched) problems.push({ line: 0, message: `${opened - matched} malformed fig marker(s)` });
  return { text: rewritten, problems };
}

/** Every Markdown page the marked figures may be in, relative to the repository root. */
export function markdownPages(root: URL = ROOT): string[] {
  const candidates = (folder: string, page: (name: string) => string | undefined): string[] =>
    readdirSync(new URL(folder, root)).flatMap((name) => page(name) ?? []);
  return [
    'README.md',
    'CONTRIBUTING.md',
    ...candidates('packages/', (name) => `packages/${name}/README.md`),
    ...candidates('examples/', (name) =>
      name.endsWith('.md') ? `examples/${name}` : `examples/${name}/README.md`,
    ),
    ...candidates('docs/', (name) => (name.endsWith('.md') ? `docs/${name}` : undefined)),
  ]
    .filter((page) => existsSync(new URL(page, root)))
    .sort();
}

/** A measured-looking figure: a number with a unit of time, rate, size, share or speed-up. */
const MEASURED =
  /(?<![\w.,±≥≤~<>−-]|[≥≤±~<>] )\d[\d,]*(?:\.\d+)?\s?(?:%|‰|x(?![\w])|ms|s|min|samples\/s|req\/s|kB|KB|MB|KiB|MiB|GiB|bytes|points)(?![\w/])/g;

/**
 * Figures in `text` that look measured but are not between markers: outside code, tables the
 * script writes, and the `allowed` constants (limits, defaults and targets a page states, which
 * no benchmark measures). Targets written `≥ 99%` / `≤ 2 ms` are never flagged.
 */
export function unmarkedFigures(text: string, allowed: readonly string[] = []): Problem[] {
  const blank = (match: string) => match.replace(/[^\n]/g, ' ');
  const prose = text
    .replace(/```[\s\S]*?```/g, blank)
    .replace(/<!-- bench:start -->[\s\S]*?<!-- bench:end -->/g, blank)
    .replace(MARKER, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/`[^`\n]*`/g, blank);
  const problems: Problem[] = [];
  for (const match of prose.matchAll(MEASURED)) {
    const figure = match[0];
    if (allowed.some((constant) => constant === figure)) continue;
    problems.push({
      line: prose.slice(0, match.index).split('\n').length,
      message: `unmarked figure "${figure}"`,
    });
  }
  return problems;
}
