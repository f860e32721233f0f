import type { Page } from 'playwright-core';

/** One file a page fetched: its URL path, its size and its size gzipped (level 9). */
export interface FetchedFile {
  path: string;
  bytes: number;
  gzip: number;
}

export declare const FIRST_LOAD_BUDGET_GZIP_BYTES: number;

export declare function recordFetches(page: Page): { fetched(): Promise<FetchedFile[]> };

export declare function firstLoadOf(fetched: FetchedFile[]): {
  /** What the page needed for its first prediction. */
  files: FetchedFile[];
  /** Their gzipped total. */
  gzip: number;
  /** The same with the `.bin` files uncompressed. */
  binUncompressed: number;
  /** Fetched by then, but only for later (the rehearsal digits, at idle time). */
  afterLoad: FetchedFile[];
};

export declare function describeFiles(files: FetchedFile[]): string[];
