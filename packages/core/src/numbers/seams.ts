/**
 * Where two neighbouring digits drawn with one pen have run together along a stretch of
 * stroke (a 1 written against a 9's stem, a 7's leg along an 8): the ink there is about two pen
 * widths across. Its middle is the seam a cut should follow; elsewhere a path along the ink
 * would cross a whole stroke's length.
 */

/** A horizontal run of ink this many pen widths long may be two strokes side by side. */
const SEAM_RUN_LOW = 1.6;
const SEAM_RUN_HIGH = 2.7;
/** Pixels either side of a double run's middle that count as its seam. */
const SEAM_HALF_WIDTH = 1;

/**
 * A map of the ink's seams: 1 at the middle (± {@link SEAM_HALF_WIDTH} px) of each horizontal
 * run of ink between {@link SEAM_RUN_LOW} and {@link SEAM_RUN_HIGH} pen widths long.
 */
export function seamsOf(ink: Float32Array, width: number, height: number, stroke: number): Uint8Array {
  const seams = new Uint8Array(ink.length);
  const low = SEAM_RUN_LOW * stroke;
  const high = SEAM_RUN_HIGH * stroke;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const inked = x < width && (ink[row + x] ?? 0) > 0;
      if (inked && start < 0) start = x;
      if (inked || start < 0) continue;
      const length = x - start;
      if (length >= low && length <= high) {
        const middle = Math.floor((start + x - 1) / 2);
        for (let m = middle - SEAM_HALF_WIDTH; m <= middle + SEAM_HALF_WIDTH; m++) seams[row + m] = 1;
      }
      start = -1;
    }
  }
  return seams;
}

/**
 * The pen's width: over every ink pixel, the shorter of its horizontal and vertical runs of ink
 * (across the stroke, whichever way the stroke goes), the median.
 */
export function penWidthOf(ink: Float32Array, width: number, height: number): number {
  const across = new Int32Array(ink.length);
  const runs = (count: number, length: number, at: (line: number, i: number) => number) => {
    for (let line = 0; line < count; line++) {
      let start = -1;
      for (let i = 0; i <= length; i++) {
        const inked = i < length && (ink[at(line, i)] ?? 0) > 0;
        if (inked && start < 0) start = i;
        if (inked || start < 0) continue;
        for (let j = start; j < i; j++) {
          const p = at(line, j);
          const before = across[p] ?? 0;
          if (before === 0 || i - start < before) across[p] = i - start;
        }
        start = -1;
      }
    }
  };
  runs(height, width, (y, x) => y * width + x);
  runs(width, height, (x, y) => y * width + x);
  // The median by counting: run lengths are whole pixels, at most the map's longer side.
  const counts = new Int32Array(Math.max(width, height) + 1);
  let inked = 0;
  for (const length of across) {
    if (length > 0) {
      counts[length] = (counts[length] ?? 0) + 1;
      inked++;
    }
  }
  let seen = 0;
  for (let length = 1; length < counts.length; length++) {
    seen += counts[length] ?? 0;
    if (seen > inked >> 1) return length;
  }
  return 1;
}
