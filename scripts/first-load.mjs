// What a page costs to open: every file the browser fetched until its first prediction, gzipped
// (level 9) as a static host serves them. Used by check:tarballs (the size-check app and the
// Vite quickstart), the web demo's static-build test and `npm run bench -- web-demo`.
import { gzipSync } from 'node:zlib';

/**
 * Budget for a page's first load, gzipped, in bytes: HTML, JavaScript, CSS, the wasm binary the
 * backend chose and the weights. Measured at 1 MB or so while the weights shipped as base64
 * inside a module (583,920 bytes gzipped alone); 254,314 as uint8 codes in a binary file. Raise
 * it deliberately, in the change that needs it.
 */
export const FIRST_LOAD_BUDGET_GZIP_BYTES = 700_000;

/**
 * Files that are fetched after load, whenever they happen to arrive: core's rehearsal digits,
 * which it fetches once the page is idle (for the first correction); no prediction waits for them.
 */
const AFTER_LOAD = /\/rehearsal-set-[^/]*\.bin$/;

/**
 * Records the files `page` fetches from now on (successful responses only, each URL once) with
 * their sizes. `fetched()` gives those whose response has arrived so far.
 */
export function recordFetches(page) {
  const seen = new Set();
  const pending = [];
  page.on('response', (response) => {
    const url = response.url();
    if (response.status() >= 300 || seen.has(url) || !/^https?:/.test(url)) return;
    seen.add(url);
    pending.push(
      response.body().then(
        (body) => ({
          path: new URL(url).pathname,
          bytes: body.length,
          gzip: gzipSync(body, { level: 9 }).length,
        }),
        // A response whose body is gone (the page navigated away, the worker ended) weighs nothing here.
        () => ({ path: new URL(url).pathname, bytes: 0, gzip: 0 }),
      ),
    );
  });
  return { fetched: () => Promise.all([...pending]) };
}

/**
 * Splits what a page fetched until its first prediction into the first load and what only
 * happened to arrive by then (the rehearsal digits, fetched at idle time), with the totals.
 */
export function firstLoadOf(fetched) {
  const files = fetched.filter(({ path }) => !AFTER_LOAD.test(path));
  const gzip = files.reduce((sum, file) => sum + file.gzip, 0);
  // Hosts that do not compress application/octet-stream send the weights as they are.
  const binUncompressed = files.reduce(
    (sum, file) => sum + (file.path.endsWith('.bin') ? file.bytes : file.gzip),
    0,
  );
  return { files, gzip, binUncompressed, afterLoad: fetched.filter(({ path }) => AFTER_LOAD.test(path)) };
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/** One line per file: `name: size, gzipped size`. */
export function describeFiles(files) {
  return files.map(
    ({ path, bytes, gzip }) => `${path.split('/').pop() || 'index.html'}: ${kB(bytes)}, ${kB(gzip)} gzip`,
  );
}
