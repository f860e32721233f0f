/** One measured figure, as `--json` prints it. */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** How it was measured, for humans. */
  detail?: string;
}

/** Prints figures as a table, or as one JSON object per line with `json`. */
export function printFigures(figures: Figure[], json: boolean): void {
  if (json) {
    for (const figure of figures) console.log(JSON.stringify(figure));
    return;
  }
  const width = Math.max(...figures.map((f) => f.metric.length));
  for (const f of figures) {
    const value =
      f.unit === '%' || f.unit === 'points'
        ? f.value.toFixed(2)
        : Math.abs(f.value) >= 100
          ? f.value.toFixed(0)
          : f.value.toPrecision(3);
    console.log(`${f.metric.padEnd(width)}  ${value.padStart(8)} ${f.unit.padEnd(10)} ${f.detail ?? ''}`);
  }
}

/** The `p` quantile (0–1) of ascending `sorted` values, NaN for none. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}
