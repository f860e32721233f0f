/** The labels a correction can carry. */
export const LABELS = 10;
/** `CorrectionRows.bounds` of a row that no fitted row of another label bounds. */
export const NO_BOUND = -2;

/**
 * The remembered corrections, one row each, in flat columns that grow together: comparing a
 * drawing with all of them is one pass over `features`, and what is kept grows with the number
 * of corrections only.
 */
export interface CorrectionRows {
  /** Length of every feature vector, set by the first row. */
  width: number;
  count: number;
  /** Centred unit features, `width` values a row. */
  features: Float32Array;
  labels: Uint8Array;
  /** Each row's standing with the served weights, as its index in `STANDINGS` (reach.ts). */
  standings: Uint8Array;
  /** How many of each row's neighbours carry each label, `LABELS` counts a row (label-votes.ts). */
  votes: Uint32Array;
  /**
   * Each row's similarity to its closest fitted row of another label (a drawing of another digit
   * the user confirmed and the weights read right), or -2 without one: how far it may reach.
   */
  bounds: Float32Array;
  /** Each row's similarity to the drawing compared last, see {@link compareRows}. */
  similarities: Float32Array;
  ids: string[];
  rowOf: Map<string, number>;
}

/** The known-good digits a correction must out-match, with their centred unit features. */
export interface RehearsalDigits {
  count: number;
  width: number;
  features: Float32Array;
  labels: Uint8Array;
  /** Each digit's similarity to the drawing compared last, see {@link compareRehearsal}. */
  similarities: Float32Array;
}

export function createCorrectionRows(width = 0): CorrectionRows {
  return {
    width,
    count: 0,
    features: new Float32Array(0),
    labels: new Uint8Array(0),
    standings: new Uint8Array(0),
    votes: new Uint32Array(0),
    bounds: new Float32Array(0),
    similarities: new Float32Array(0),
    ids: [],
    rowOf: new Map(),
  };
}

/** Rehearsal digits from their centred unit features (`units`, all of one length) and labels. */
export function rehearsalDigitsOf(
  units: readonly Float32Array[],
  labels: ArrayLike<number>,
): RehearsalDigits {
  const count = units.length;
  const width = units[0]?.length ?? 0;
  const features = new Float32Array(count * width);
  units.forEach((unit, i) => {
    features.set(unit, i * width);
  });
  return {
    count,
    width,
    features,
    labels: Uint8Array.from({ length: count }, (_, i) => labels[i] ?? 0),
    similarities: new Float32Array(count),
  };
}

/**
 * The user's latest digits: what the recogniser read for them, newest last, each flagged `sure`
 * when it was read confidently ({@link pushDigit}).
 */
export interface DigitWindow extends RehearsalDigits {
  /** 1 for a digit read confidently, else 0. */
  sure: Uint8Array;
}

/** An empty window of `width` digits with room for `capacity`: it keeps the latest ones, oldest first. */
export function digitWindow(capacity: number, width: number): DigitWindow {
  return {
    count: 0,
    width,
    features: new Float32Array(capacity * width),
    labels: new Uint8Array(capacity),
    sure: new Uint8Array(capacity),
    similarities: new Float32Array(capacity),
  };
}

/** Drops digit `index` of a window, keeping the others in order. */
function removeDigit(digits: DigitWindow, index: number): void {
  const { width, count } = digits;
  digits.features.copyWithin(index * width, (index + 1) * width, count * width);
  digits.labels.copyWithin(index, index + 1, count);
  digits.sure.copyWithin(index, index + 1, count);
  digits.count--;
}

/** Appends the centred unit feature `unit` of a `label` to a window, dropping its oldest digit when it is full. */
export function pushDigit(digits: DigitWindow, unit: Float32Array, label: number, sure: boolean): void {
  if (digits.count === digits.labels.length) removeDigit(digits, 0);
  digits.features.set(unit, digits.count * digits.width);
  digits.sure[digits.count] = sure ? 1 : 0;
  digits.labels[digits.count++] = label;
}

/**
 * Raises `closest[label]` to the similarity of each digit (or row) of that label that `keep`
 * accepts, given their labels and similarities to one drawing; returns `closest`.
 */
export function closestByLabel(
  closest: number[],
  labels: ArrayLike<number>,
  similarities: ArrayLike<number>,
  count: number,
  keep: (index: number) => boolean = () => true,
): number[] {
  for (let i = 0; i < count; i++) {
    const label = labels[i] as number;
    // `keep` last: only a digit that would raise its label's closest is asked about.
    if ((similarities[i] as number) > (closest[label] as number) && keep(i))
      closest[label] = similarities[i] as number;
  }
  return closest;
}

/** Per label, no digit yet: the start of {@link closestByLabel}. */
export const noDigits = () => new Array<number>(LABELS).fill(-1);

/** Drops every digit of a window at least `similarity` alike to the unit vector `query`. */
export function dropAlike(digits: DigitWindow, query: Float32Array, similarity: number): void {
  compareRehearsal(digits, query);
  // From the end, so a removal moves only digits already looked at.
  for (let i = digits.count - 1; i >= 0; i--) {
    if ((digits.similarities[i] as number) >= similarity) removeDigit(digits, i);
  }
}

/** Dot products of `query` with rows `from` to `count` of `rows` (unit vectors of `width`), into `out`. */
function dotProducts(
  rows: Float32Array,
  count: number,
  width: number,
  query: Float32Array,
  out: Float32Array,
  from = 0,
) {
  // Four partial sums: independent additions the engine can overlap.
  for (let row = from, at = from * width; row < count; row++, at += width) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 3 < width; k += 4) {
      s0 += (rows[at + k] as number) * (query[k] as number);
      s1 += (rows[at + k + 1] as number) * (query[k + 1] as number);
      s2 += (rows[at + k + 2] as number) * (query[k + 2] as number);
      s3 += (rows[at + k + 3] as number) * (query[k + 3] as number);
    }
    for (; k < width; k++) s0 += (rows[at + k] as number) * (query[k] as number);
    out[row] = s0 + s1 + s2 + s3;
  }
}

/** Similarities of the unit vector `query` to rows `from` onwards, into `rows.similarities`. */
export function compareRows(rows: CorrectionRows, query: Float32Array, from = 0): void {
  dotProducts(rows.features, rows.count, rows.width, query, rows.similarities, from);
}

/** Similarities of the unit vector `query` to every rehearsal digit, into `digits.similarities`. */
export function compareRehearsal(digits: RehearsalDigits, query: Float32Array): void {
  dotProducts(digits.features, digits.count, digits.width, query, digits.similarities);
}

export function rowFeature(rows: CorrectionRows, row: number): Float32Array {
  return rows.features.subarray(row * rows.width, (row + 1) * rows.width);
}

function ensureCapacity(rows: CorrectionRows, count: number) {
  const { width } = rows;
  if (count * width <= rows.features.length) return;
  // Doubling keeps the copies few as corrections arrive one by one.
  const capacity = Math.max(count, 2 * (rows.features.length / Math.max(1, width)), 16);
  const grow = <T extends Float32Array | Uint8Array | Uint32Array>(from: T, to: T) => {
    to.set(from);
    return to;
  };
  rows.features = grow(rows.features, new Float32Array(capacity * width));
  rows.labels = grow(rows.labels, new Uint8Array(capacity));
  rows.standings = grow(rows.standings, new Uint8Array(capacity));
  rows.votes = grow(rows.votes, new Uint32Array(capacity * LABELS));
  rows.bounds = grow(rows.bounds, new Float32Array(capacity).fill(NO_BOUND));
  rows.similarities = new Float32Array(capacity);
}

/** Appends a row for the centred unit feature `unit`, with no votes yet, and returns its index. */
export function appendRow(
  rows: CorrectionRows,
  row: { id: string; unit: Float32Array; label: number; standing: number },
): number {
  if (rows.count === 0 && rows.width !== row.unit.length) clearRows(rows, row.unit.length);
  ensureCapacity(rows, rows.count + 1);
  const at = rows.count++;
  rows.features.set(row.unit, at * rows.width);
  rows.labels[at] = row.label;
  rows.standings[at] = row.standing;
  rows.bounds[at] = NO_BOUND;
  rows.ids[at] = row.id;
  rows.rowOf.set(row.id, at);
  return at;
}

/** Drops `row`, moving the last row into its place so the rows stay dense. */
export function removeRow(rows: CorrectionRows, row: number): void {
  const { width } = rows;
  const last = rows.count - 1;
  const id = rows.ids[row] as string;
  if (row !== last) {
    rows.features.copyWithin(row * width, last * width, (last + 1) * width);
    rows.votes.copyWithin(row * LABELS, last * LABELS, (last + 1) * LABELS);
    rows.labels[row] = rows.labels[last] as number;
    rows.standings[row] = rows.standings[last] as number;
    rows.bounds[row] = rows.bounds[last] as number;
    const moved = rows.ids[last] as string;
    rows.ids[row] = moved;
    rows.rowOf.set(moved, row);
  }
  rows.votes.fill(0, last * LABELS, (last + 1) * LABELS);
  rows.ids.pop();
  rows.rowOf.delete(id);
  rows.count--;
}

/** Forgets every row; the columns start again from nothing, for features of `width`. */
export function clearRows(rows: CorrectionRows, width = rows.width): void {
  Object.assign(rows, createCorrectionRows(width));
}
