/** Options every benchmark receives from the dispatcher. */
export interface BenchOptions {
  /** Print one JSON object per figure instead of a table. */
  json: boolean;
  /** The raw command-line arguments, for benchmark-specific flags. */
  args: string[];
}

export interface BenchModule {
  run(options: BenchOptions): Promise<void>;
}

export interface BenchEntry {
  description: string;
  load(): Promise<BenchModule>;
}

/** Every benchmark `npm run bench` knows, by name. */
export const benchmarks: Record<string, BenchEntry> = {};
