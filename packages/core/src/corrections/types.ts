/** A stored correction: "this image is the digit `label`". */
export interface Correction {
  /** Durable identifier, unique within a store (and kept when moved to another store). */
  id: string;
  /** The drawing, already normalised: 784 values 0–1, MNIST-style (what `preprocess` returns). */
  image: Float32Array;
  /** The right digit, 0–9. */
  label: number;
  /** When the correction was made, in milliseconds since the epoch. */
  createdAt: number;
  /** Whose correction it is, for per-user models and scoping. */
  userId?: string;
  /** The session it came from, for analysis. */
  sessionId?: string;
  /** What the model had predicted (the answer this corrects). */
  predicted?: { digit: number; confidence: number };
  /** The model version that made the prediction. */
  modelVersion?: string;
}

/** What `add` takes: a correction without an id (one is assigned) and, by default, stamped now. */
export type NewCorrection = Omit<Correction, 'id' | 'createdAt'> & {
  /** Defaults to now. */
  createdAt?: number;
  /** Keep this id (used when importing from another store); it must not exist in the store yet. */
  id?: string;
};

/** Restricts `count`, `list` and `iterate` to some corrections. */
export interface CorrectionFilter {
  /** Only this user's corrections. */
  userId?: string;
}

/** Options for `list`. */
export interface ListOptions extends CorrectionFilter {
  /** Items per page, 1–1000. Default 100. */
  limit?: number;
  /** Continue after this position: the `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of corrections, in insertion order. */
export interface CorrectionPage {
  items: Correction[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** What `import` did. */
export interface ImportResult {
  /** Corrections added. */
  imported: number;
  /** Corrections skipped because a correction with the same id was already in the store. */
  skipped: number;
}

/** Bytes of an export: a web `ReadableStream`, or any async iterable of bytes or text. */
export type CorrectionStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/**
 * Where corrections live. Every implementation (in memory, on disk, in IndexedDB, yours) passes
 * the same contract suite: insertion order, paging, durable ids, parallel adds, typed errors for
 * invalid records with nothing half-written, and a portable export format.
 */
export interface CorrectionStore {
  /** False when corrections will not survive a restart (the in-memory store, or a fallback). */
  readonly persistent: boolean;
  /**
   * Validates and stores a correction; resolves with its id once it is durable (as durable as
   * the store can make it). Throws `InvalidCorrectionError` and stores nothing for a bad record.
   */
  add(correction: NewCorrection): Promise<string>;
  /** The correction with this id, or `undefined`. */
  get(id: string): Promise<Correction | undefined>;
  /** How many corrections (matching the filter) there are. */
  count(filter?: CorrectionFilter): Promise<number>;
  /** One page of corrections in insertion order. */
  list(options?: ListOptions): Promise<CorrectionPage>;
  /** Every correction (matching the filter), in insertion order. */
  iterate(filter?: CorrectionFilter): AsyncIterableIterator<Correction>;
  /** Removes one correction; resolves `true` if it existed. */
  remove(id: string): Promise<boolean>;
  /** Removes every correction. */
  clear(): Promise<void>;
  /** Every correction in the portable format (newline-delimited JSON), for backups and moves. */
  export(filter?: CorrectionFilter): ReadableStream<Uint8Array>;
  /** Adds corrections from a portable export; ids already present are skipped. */
  import(stream: CorrectionStream): Promise<ImportResult>;
  /** Releases the store. Later calls throw `StoreClosedError`. Safe to call twice. */
  close(): Promise<void>;
}
